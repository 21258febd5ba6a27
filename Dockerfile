# The factgraph server as a container image. Not built in CI (no Docker engine there).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /factgraph ./cmd/factgraph

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /factgraph /factgraph
# Inside a container, loopback is unreachable from outside: listen on every interface (writes
# then need write tokens, or FACTGRAPH_ALLOW_ANONYMOUS_WRITES=true; see the README).
ENV FACTGRAPH_ADDR=:8080
EXPOSE 8080
ENTRYPOINT ["/factgraph"]
