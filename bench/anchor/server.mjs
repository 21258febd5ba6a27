// The benchmark's anchor: the Neo4j GraphQL Library served by Apollo Server, over the database
// factgraph writes. Configured only by the environment:
//   NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD   the database (required)
//   ANCHOR_PORT                              where to listen on 127.0.0.1 (default 9103)
//   ANCHOR_PRINT_SCHEMA=1                    print the generated schema and exit
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { printSchema } from "graphql";
import neo4j from "neo4j-driver";
import { typeDefs } from "./typedefs.mjs";

function required(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`anchor: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

const driver = neo4j.driver(
  required("NEO4J_URI"),
  neo4j.auth.basic(process.env.NEO4J_USER || "neo4j", required("NEO4J_PASSWORD")),
);
const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const schema = await neoSchema.getSchema();
if (process.env.ANCHOR_PRINT_SCHEMA === "1") {
  console.log(printSchema(schema));
  await driver.close();
  process.exit(0);
}

const server = new ApolloServer({ schema });
const port = Number(process.env.ANCHOR_PORT || 9103);
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port } });
console.error(`anchor: serving ${url}`);

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    await server.stop();
    await driver.close();
    process.exit(0);
  });
}
