package io.ordinaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

class GroupCommitTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    private final CountDownLatch releaseFirst = new CountDownLatch(1);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void a_call_made_alone_is_stored_alone_at_once() {
        GroupCommit<Integer, String> commit = commit(recording(GroupCommitTest::answers), 10, 1);

        assertThat(commit.submit(1)).isEqualTo("r1");
        assertThat(commit.submit(2)).isEqualTo("r2");
        assertThat(batches).containsExactly(List.of(1), List.of(2));
    }

    @Test
    void calls_queued_while_a_batch_is_stored_are_stored_together_each_with_its_own_result() throws Exception {
        GroupCommit<Integer, String> commit = commit(recording(GroupCommitTest::answers), 100, 1);
        Future<String> first = storing(commit, 0);
        List<Future<String>> others = queue(commit, 1, 2, 3, 4, 5, 6, 7, 8);
        releaseFirst.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("r0");
        for (int i = 1; i <= 8; i++) {
            assertThat(others.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo("r" + i);
        }
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0)).containsExactly(0);
        assertThat(batches.get(1)).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void no_batch_holds_more_than_the_maximum() throws Exception {
        GroupCommit<Integer, Integer> commit = commit(recording(items -> items), 3, 1);
        Future<Integer> first = storing(commit, 0);
        List<Future<Integer>> others = queue(commit, 1, 2, 3, 4, 5, 6, 7);
        releaseFirst.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isZero();
        for (int i = 1; i <= 7; i++) {
            assertThat(others.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo(i);
        }
        assertThat(batches).allSatisfy(b -> assertThat(b).hasSizeLessThanOrEqualTo(3));
        assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(8);
    }

    @Test
    void a_batch_that_fails_is_stored_again_item_by_item_so_only_the_bad_item_fails() throws Exception {
        GroupCommit<Integer, String> commit = commit(recording(items -> {
            if (items.contains(-1)) {
                throw new IllegalArgumentException("item -1 is refused");
            }
            return answers(items);
        }), 100, 1);
        Future<String> first = storing(commit, 0);
        List<Future<String>> queued = queue(commit, 1, -1, 2);
        Future<String> good1 = queued.get(0);
        Future<String> bad = queued.get(1);
        Future<String> good2 = queued.get(2);
        releaseFirst.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("r0");
        assertThat(good1.get(10, TimeUnit.SECONDS)).isEqualTo("r1");
        assertThat(good2.get(10, TimeUnit.SECONDS)).isEqualTo("r2");
        assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IllegalArgumentException.class).hasMessage("item -1 is refused");
        assertThat(batches).containsExactly(List.of(0), List.of(1, -1, 2), List.of(1), List.of(-1), List.of(2));
    }

    @Test
    void a_batch_that_failed_because_the_database_was_unreachable_fails_every_call_at_once() throws Exception {
        GroupCommit<Integer, String> commit = commit(recording(firstThenFailing(() -> {
            throw new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection");
        })), 100, 1);
        Future<String> first = storing(commit, 0);
        List<Future<String>> others = queue(commit, 1, 2, 3);
        releaseFirst.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("r0");
        for (Future<String> other : others) {
            assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(CannotGetJdbcConnectionException.class);
        }
        // Not stored again item by item: each would only have waited for a connection in turn.
        assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3));
    }

    @Test
    void an_error_while_storing_fails_the_waiting_calls_instead_of_leaving_them_waiting() throws Exception {
        GroupCommit<Integer, String> commit = commit(recording(firstThenFailing(() -> {
            throw new AssertionError("storage broke");
        })), 100, 1);
        Future<String> first = storing(commit, 0);
        List<Future<String>> others = queue(commit, 1, 2, 3);
        releaseFirst.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("r0");
        int errors = 0;
        int failures = 0;
        for (Future<String> other : others) {
            try {
                other.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof AssertionError) {
                    errors++;
                } else {
                    assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("storage broke");
                    failures++;
                }
            }
        }
        // The call that stored the batch gets the error itself; the others a failure naming it.
        assertThat(errors).isEqualTo(1);
        assertThat(failures).isEqualTo(2);
    }

    @Test
    void calls_are_dealt_to_the_lanes_in_turn_and_each_lane_stores_its_own() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch bothStoring = new CountDownLatch(2);
        GroupCommit<Integer, Integer> commit = commit(recording(items -> {
            bothStoring.countDown();
            waitFor(release);
            return items;
        }), 100, 2);
        Future<Integer> a = threads.submit(() -> commit.submit(1));
        Future<Integer> b = threads.submit(() -> commit.submit(2));
        // Two batches are being stored at once: one per lane.
        assertThat(bothStoring.await(10, TimeUnit.SECONDS)).isTrue();
        release.countDown();

        assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(b.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(batches).containsExactlyInAnyOrder(List.of(1), List.of(2));
    }

    @Test
    void refuses_a_batch_size_or_lane_count_below_one() {
        assertThatThrownBy(() -> new GroupCommit<Integer, Integer>(items -> items, e -> true, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GroupCommit<Integer, Integer>(items -> items, e -> true, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static <R> GroupCommit<Integer, R> commit(Function<List<Integer>, List<R>> store, int maxBatch, int lanes) {
        return new GroupCommit<>(store, GroupCommit::unlessDatabaseUnreachable, maxBatch, lanes);
    }

    /** Submits {@code item} from a thread of its own and returns once its batch is being stored. */
    private <R> Future<R> storing(GroupCommit<Integer, R> commit, int item) {
        Future<R> call = threads.submit(() -> commit.submit(item));
        await().atMost(Duration.ofSeconds(10)).until(() -> !batches.isEmpty());
        return call;
    }

    /** Submits the items one by one, each from a thread of its own, each queued before the next is submitted. */
    private <R> List<Future<R>> queue(GroupCommit<Integer, R> commit, int... items) {
        int before = commit.queued();
        List<Future<R>> calls = new ArrayList<>();
        for (int item : items) {
            calls.add(threads.submit(() -> commit.submit(item)));
            int expected = before + calls.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> commit.queued() == expected);
        }
        return calls;
    }

    /** Records each batch; the batch holding item 0 waits for {@link #releaseFirst} before it is stored. */
    private <R> Function<List<Integer>, List<R>> recording(Function<List<Integer>, List<R>> store) {
        return items -> {
            batches.add(List.copyOf(items));
            if (items.contains(0)) {
                waitFor(releaseFirst);
            }
            return store.apply(items);
        };
    }

    private static List<String> answers(List<Integer> items) {
        return items.stream().map(i -> "r" + i).toList();
    }

    /** Stores the batch holding item 0; every other batch fails with what {@code failure} throws. */
    private static Function<List<Integer>, List<String>> firstThenFailing(Runnable failure) {
        return items -> {
            if (!items.contains(0)) {
                failure.run();
            }
            return answers(items);
        };
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
