package io.fleetline.commons.store;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.DistributionSummary;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Writes items submitted one at a time in batches, each batch one statement or transaction of
 * {@code write}, which answers one result per item in order. A batch goes when it is full, when
 * its window ends, or, with a zero window, as soon as one of the {@code concurrency} writers is
 * free: under load items gather while the writers are busy, and a lone item waits for nothing.
 * An item's {@code Uni} completes with its result after its batch committed, on the Vert.x
 * context it was submitted from; when the batch fails, every item of it fails.
 *
 * @param <I> what is submitted
 * @param <O> the result of one item
 */
public final class GroupCommit<I, O> {

    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    private final String what;
    private final int batchSize;
    private final Duration window;
    private final int concurrency;
    private final Function<List<I>, Uni<List<O>>> write;
    private final DistributionSummary sizes;
    private final Vertx vertx;

    private final Object lock = new Object();
    private final Deque<List<Pending<I, O>>> sealed = new ArrayDeque<>();
    private List<Pending<I, O>> filling = new ArrayList<>();
    private long timer = -1;
    private int writing;

    /**
     * @param what    what a batch holds, for the log ("readings")
     * @param sizes   records the size of every committed batch
     */
    public GroupCommit(Vertx vertx, String what, int batchSize, Duration window, int concurrency,
            Function<List<I>, Uni<List<O>>> write, DistributionSummary sizes) {
        this.vertx = vertx;
        this.what = what;
        this.batchSize = batchSize;
        this.window = window;
        this.concurrency = concurrency;
        this.write = write;
        this.sizes = sizes;
    }

    private record Pending<I, O>(I item, Context context, UniEmitter<? super O> done) {

        void complete(O result) {
            onItsContext(() -> done.complete(result));
        }

        void fail(Throwable failure) {
            onItsContext(() -> done.fail(failure));
        }

        private void onItsContext(Runnable action) {
            if (context == null || context == Vertx.currentContext()) {
                action.run();
            } else {
                context.runOnContext(ignored -> action.run());
            }
        }
    }

    /** Queues {@code item}; completes with its result when its batch committed. */
    public Uni<O> submit(I item) {
        return Uni.createFrom().emitter(done -> {
            synchronized (lock) {
                filling.add(new Pending<>(item, Vertx.currentContext(), done));
                if (filling.size() >= batchSize || lingerless() && writing < concurrency) {
                    seal();
                } else if (timer < 0 && !lingerless()) {
                    timer = vertx.setTimer(window.toMillis(), id -> {
                        synchronized (lock) {
                            timer = -1;
                            seal();
                        }
                        drain();
                    });
                }
            }
            drain();
        });
    }

    private boolean lingerless() {
        return window.toMillis() <= 0;
    }

    private void seal() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        if (!filling.isEmpty()) {
            sealed.add(filling);
            filling = new ArrayList<>();
        }
    }

    private void drain() {
        while (true) {
            List<Pending<I, O>> batch;
            synchronized (lock) {
                if (writing >= concurrency) {
                    return;
                }
                if (sealed.isEmpty() && lingerless()) {
                    // What gathered while every writer was busy goes now.
                    seal();
                }
                if (sealed.isEmpty()) {
                    return;
                }
                batch = sealed.poll();
                writing++;
            }
            write(batch);
        }
    }

    private void write(List<Pending<I, O>> batch) {
        Uni.createFrom().deferred(() -> write.apply(batch.stream().map(Pending::item).toList())).subscribe().with(results -> {
            sizes.record(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).complete(results.get(i));
            }
            finished();
        }, failure -> {
            LOG.warnf("A batch of %d %s failed to commit: %s", batch.size(), what, failure.getMessage());
            batch.forEach(pending -> pending.fail(failure));
            finished();
        });
    }

    private void finished() {
        synchronized (lock) {
            writing--;
        }
        drain();
    }
}
