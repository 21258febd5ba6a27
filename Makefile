# The README's commands. Each target works on a fresh clone with Go, Java 17 and Maven.
export GOTOOLCHAIN := local

.PHONY: run test generate neo4j-start neo4j-stop seed bench

# Serve on the embedded store with the built-in seed: http://localhost:8080/
run:
	go run ./cmd/factgraph

# Everything CI runs: gofmt, vet, generated code, and all tests on both stores (starts Neo4j).
test:
	bash scripts/test.sh

generate:
	go generate ./...

neo4j-start:
	bash tools/neo4j/start.sh

neo4j-stop:
	bash tools/neo4j/stop.sh

# Load the built-in seed into a running server (FACTGRAPH_ENDPOINT, default localhost:8080).
seed:
	go run ./cmd/factgraph-seed

# The benchmark against @neo4j/graphql and the raw driver (bench/README.md; needs Node 20 + npm).
bench:
	bash bench/run.sh
