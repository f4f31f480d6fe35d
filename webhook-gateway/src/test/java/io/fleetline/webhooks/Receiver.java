package io.fleetline.webhooks;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver the test runs on loopback: records every request (headers and raw bytes)
 * per path and answers with the replies queued for that path, then 200.
 */
public final class Receiver implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, Deque<Reply>> replies = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Set<String> hanging = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);

    private Receiver(String host) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A receiver on 127.0.0.1 and a random port. */
    public static Receiver start() {
        return start("127.0.0.1");
    }

    /** A receiver on {@code host} and a random port. */
    public static Receiver start(String host) {
        try {
            return new Receiver(host);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh, unique path on this receiver as an absolute URL. */
    public String newUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort()
                + "/hook-" + UUID.randomUUID();
    }

    /** Queues replies for the path of {@code url}, answered in order before the default 200. */
    public Receiver reply(String url, Reply... queued) {
        replies.computeIfAbsent(path(url), p -> new ConcurrentLinkedDeque<>()).addAll(List.of(queued));
        return this;
    }

    /** Makes the path of {@code url} never answer (until the receiver closes). */
    public Receiver hang(String url) {
        hanging.add(path(url));
        return this;
    }

    /** The requests received on the path of {@code url}, in arrival order. */
    public List<Request> requests(String url) {
        String path = path(url);
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    private static String path(String url) {
        return java.net.URI.create(url).getPath();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
        String path = exchange.getRequestURI().getPath();
        requests.add(new Request(path, Instant.now(), headers, body));
        if (hanging.contains(path)) {
            try {
                closed.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        Deque<Reply> queue = replies.get(path);
        Reply reply = queue == null || queue.isEmpty() ? Reply.status(200) : queue.poll();
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        byte[] answer = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(reply.status(), answer.length == 0 ? -1 : answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    /** One received request. */
    public record Request(String path, Instant at, Map<String, String> headers, byte[] body) {

        /** The header {@code name}, case-insensitive. */
        public String header(String name) {
            return headers.get(name);
        }

        /** The body as UTF-8 text. */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** An answer to give. */
    public record Reply(int status, Map<String, String> headers, String body) {

        public static Reply status(int status) {
            return new Reply(status, Map.of(), "");
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> copy = new TreeMap<>(headers);
            copy.put(name, value);
            return new Reply(status, copy, body);
        }

        public Reply withBody(String text) {
            return new Reply(status, headers, text);
        }
    }
}
