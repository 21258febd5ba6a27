package com.factgraph.tools.neo4j;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

/**
 * Development / CI Neo4j server: embedded Neo4j community edition with the Bolt
 * connector enabled, so clients (the Go driver) talk to it exactly as to a packaged
 * server. Configured through environment variables:
 *
 * <ul>
 *   <li>NEO4J_DATA_DIR     data directory (default ./data)</li>
 *   <li>NEO4J_LOGS_DIR     Neo4j's own logs, debug.log etc. (default ./run/logs)</li>
 *   <li>NEO4J_PLUGINS_DIR  procedure jars such as APOC (default ./plugins)</li>
 *   <li>NEO4J_BOLT_HOST    listen address (default 127.0.0.1)</li>
 *   <li>NEO4J_BOLT_PORT    listen port (default 7687)</li>
 *   <li>NEO4J_PASSWORD     password of user neo4j (default factgraph-dev)</li>
 *   <li>NEO4J_PAGECACHE_MB page cache size (default 256)</li>
 * </ul>
 */
public final class Neo4jServer {

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(env("NEO4J_DATA_DIR", "data")).toAbsolutePath();
        Path logsDir = Path.of(env("NEO4J_LOGS_DIR", "run/logs")).toAbsolutePath();
        Path pluginsDir = Path.of(env("NEO4J_PLUGINS_DIR", "plugins")).toAbsolutePath();
        String host = env("NEO4J_BOLT_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("NEO4J_BOLT_PORT", "7687"));
        String password = env("NEO4J_PASSWORD", "factgraph-dev");
        long pageCacheMb = Long.parseLong(env("NEO4J_PAGECACHE_MB", "256"));

        Files.createDirectories(dataDir);
        Files.createDirectories(logsDir);
        Files.createDirectories(pluginsDir);

        long t0 = System.nanoTime();
        // The builder's "home" is the data dir; data_directory is pointed at it too so
        // the layout is <data>/databases, <data>/transactions, <data>/dbms (auth).
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(dataDir)
                .setConfig(GraphDatabaseSettings.data_directory, dataDir)
                .setConfig(GraphDatabaseSettings.logs_directory, logsDir)
                .setConfig(GraphDatabaseSettings.plugin_dir, pluginsDir)
                // Procedures in plugin jars (APOC) that need internal APIs must be
                // unrestricted; the allowlist default ("*") already loads everything.
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                // Dev/CI data is throwaway: don't preallocate 256 MiB tx log files and
                // keep little tx log history on disk.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "2 files")
                // Netty's graceful-shutdown quiet period (default 5 s, once per Bolt
                // event loop group) made every stop take ~10 s.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();

        // Neo4j does not install a shutdown hook for embedded use; without this a
        // SIGTERM would kill the JVM without checkpointing / closing the store.
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Neo4j shutting down...");
            try {
                dbms.shutdown();
            } finally {
                System.out.println("Neo4j stopped.");
                stopped.countDown();
            }
        }, "neo4j-shutdown"));

        setPassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password);

        // Touch the default database so a broken store fails here, not on first query.
        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        String version = db.executeTransactionally(
                "CALL dbms.components() YIELD versions, edition "
                        + "RETURN versions[0] + ' ' + edition AS v",
                Map.of(), r -> (String) r.next().get("v"));

        waitForPort(host, port);
        System.out.printf("Neo4j %s READY bolt://%s:%d (data %s, plugins %s) in %d ms%n",
                version, host, port, dataDir, pluginsDir, (System.nanoTime() - t0) / 1_000_000);
        System.out.flush();

        stopped.await(); // park main; the JVM exits via the shutdown hook on SIGTERM
    }

    /**
     * Sets neo4j's password and clears the "must change on first login" flag that a
     * fresh DBMS has, so drivers can log in with basic auth straight away. Runs on
     * every start so NEO4J_PASSWORD can be changed; the embedded API runs Cypher with
     * full privileges, so no old password is needed.
     */
    private static void setPassword(GraphDatabaseService system, String password) {
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // Re-setting the current password is an error in Neo4j; that case is fine.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                throw e;
            }
        }
    }

    /** Bolt starts during build(); this just double-checks before announcing READY. */
    private static void waitForPort(String host, int port) throws InterruptedException {
        for (int i = 0; ; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (java.io.IOException e) {
                if (i >= 100) {
                    throw new IllegalStateException("Bolt not listening on " + host + ":" + port, e);
                }
                Thread.sleep(100);
            }
        }
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v;
    }
}
