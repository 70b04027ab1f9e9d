package dev.herald.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code mvn -Pcluster verify}: a local cluster to try Herald the way it runs in production, with
 * nothing installed: a real PostgreSQL and a real redis-server (both from Maven), and two Herald
 * instances on Payara Micro at http://localhost:8081 and http://localhost:8082. Ctrl-C stops it all.
 */
public final class LocalCluster {

    private LocalCluster() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "local-cluster", Long.toString(System.currentTimeMillis())));
        System.out.println("Starting PostgreSQL, Redis and two Herald instances (about a minute) ...");
        HeraldCluster cluster = HeraldCluster.start(dir, 2, Map.of("herald.broker.head-check-interval", "2s"), 8081);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cluster.close();
            } catch (Exception e) {
                System.err.println("stopping the cluster: " + e);
            } finally {
                stopped.countDown();
            }
        }, "local-cluster-stop"));

        String alice = Jwts.user("alice").channels("diagnosis:*").publish("diagnosis:*").expiresIn(java.time.Duration.ofHours(8)).sign();
        String admin = Jwts.user("admin").roles("admin").expiresIn(java.time.Duration.ofHours(8)).sign();
        System.out.printf("""

                Herald local cluster is up (logs and data under %s)
                  instance A   http://localhost:8081    ws://localhost:8081/ws
                  instance B   http://localhost:8082    ws://localhost:8082/ws
                  Redis        %s
                  PostgreSQL   %s (user postgres)

                Tokens (signed with a fixed local test secret: never use it elsewhere):
                  ALICE=%s
                  ADMIN=%s

                Try it: subscribe on B, publish on A.
                  websocat "ws://localhost:8082/ws/diagnosis/42?token=$ALICE"
                  curl -X POST localhost:8081/api/channels/diagnosis:42/events -H "Authorization: Bearer $ALICE" \\
                       -H 'Content-Type: application/json' -d '{"type":"timeline_update","data":{"step":1}}'

                Ctrl-C stops the cluster.
                """, dir.toAbsolutePath(), cluster.redisUrl(), cluster.databaseUrl(), alice, admin);
        stopped.await();
    }
}
