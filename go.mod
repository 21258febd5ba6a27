module github.com/factgraph/factgraph

go 1.26
