// Type definitions that map @neo4j/graphql onto the database factgraph writes.
//
// The library's usable best form for this graph (see bench/README.md): ONE node type `Entity`
// over the `:Entity` label (the kind is a property, as factgraph stores it too) with one
// relationship field per relation type and direction, all carrying the same relationship
// properties. A type per kind with relations pointing at an interface makes the library's
// schema and its GraphQL-to-Cypher translation explode (tens of seconds per request).
//
// Where the library has no native form for a shape, the field is a `@cypher` field, as the
// library's users write one: the id lookup's first relations of every type merged in time
// order, the relation listing (there is no root query over relationships), and ranked
// full-text search with factgraph's tie-break.

// The relation types, as factgraph's schema enum RelationType lists them (the data set uses
// the first 18). Any other relationship type in the database (factgraph's provenance graph:
// SUBJECT, OBJECT, ASSERTS, CITES, DISPUTES) is not a relation and no query may see it.
export const relationTypes = [
  "AGREED", "ATTACKED", "PROPOSED_OWNERSHIP", "PROPOSED", "SPOKE_WITH", "PARTY_TO", "COVERS",
  "HOLDS_OFFICE", "MEMBER_OF", "LOCATED_IN", "REQUESTED", "MEDIATED", "STATED", "REPORTED",
  "PARTICIPATED_IN", "AFFECTED", "PART_OF", "SUPERSEDES", "VIOLATED", "DISCUSSED",
];

// fieldName turns PARTY_TO into partyTo (outgoing) and partyToIn (incoming).
export function fieldName(type, dir) {
  const camel = type.toLowerCase().replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  return dir === "IN" ? camel + "In" : camel;
}

const relationFields = relationTypes
  .flatMap((t) => ["OUT", "IN"].map((dir) =>
    `  ${fieldName(t, dir)}: [Entity!]! @relationship(type: "${t}", direction: ${dir}, properties: "Rel")`))
  .join("\n");

// RelationRow is what the @cypher fields return: a relation with both ends' id and name.
const relationRow = `{id: r.id, type: type(r), status: r.status, t: r.t,
  fromId: startNode(r).id, fromName: startNode(r).name, toId: endNode(r).id, toName: endNode(r).name}`;

export const typeDefs = /* GraphQL */ `
type Entity @node(labels: ["Entity"]) {
  id: ID!
  kind: String!
  name: String!
  "The folded name's hex encoding factgraph sorts by."
  nameKey: String!
  "The folded name and aliases factgraph matches nameContains on."
  searchText: String!
  aliases: [String!]
  description: String
  category: String
  countryCode: String
  agreementStatus: String
  sourceIds: [String!]
  createdAt: DateTime
  updatedAt: DateTime
${relationFields}
  "The first relations of every type at either end, in time order (factgraph's Entity.relations)."
  firstRelations(first: Int! = 20): [RelationRow!]!
    @cypher(
      statement: """
      MATCH (this)-[r:${relationTypes.join("|")}]-()
      WITH DISTINCT r ORDER BY r.t, r.id LIMIT $first
      RETURN ${relationRow} AS row
      """
      columnName: "row"
    )
}

type Rel @relationshipProperties {
  id: ID!
  status: String!
  "factgraph's time key: Unix nanoseconds of the relation's time, undated last."
  t: BigInt!
  claimedBy: String
  sourceIds: [String!]
  quote: String
  confidence: Float
  role: String
  description: String
  disputes: [String!]
  createdAt: DateTime
  updatedAt: DateTime
}

type RelationRow {
  id: ID!
  type: String!
  status: String!
  t: BigInt!
  fromId: ID!
  fromName: String!
  toId: ID!
  toName: String!
}

type SearchHit {
  score: Float!
  id: ID!
  name: String!
}

type Query {
  "The first ATTACKED relations in time order, with both ends (factgraph's relations)."
  attacks(first: Int!): [RelationRow!]!
    @cypher(
      statement: """
      MATCH ()-[r:ATTACKED]->()
      WITH r ORDER BY r.t, r.id LIMIT $first
      RETURN ${relationRow} AS row
      """
      columnName: "row"
    )
  "Full-text search over factgraph's index, ranked, ties by id (factgraph's search)."
  searchEntities(query: String!, first: Int!): [SearchHit!]!
    @cypher(
      statement: """
      CALL db.index.fulltext.queryNodes('entity_fulltext', $query) YIELD node, score
      WITH node, score ORDER BY score DESC, node.id LIMIT $first
      RETURN {score: score, id: node.id, name: node.name} AS hit
      """
      columnName: "hit"
    )
}
`;
