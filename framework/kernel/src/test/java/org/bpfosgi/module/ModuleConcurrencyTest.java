package org.bpfosgi.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.bpfosgi.errno.Errno;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Many threads take and drop references while rmmod is attempted. Invariants: the count never
 * goes negative; rmmod succeeds only when no holder exists; once GOING, nothing can be got.
 * rmmod is attempted only once every worker has taken a reference, so the two really race. Every
 * worker's future is joined, so an assertion failing in a worker fails the test.
 */
class ModuleConcurrencyTest {

    @RepeatedTest(5)
    void referencesRaceWithRmmod() throws Exception {
        List<String> klog = new java.util.concurrent.CopyOnWriteArrayList<>();
        ModuleTable table = new ModuleTable(klog::add);
        Module m = table.load(new ModuleImage("bpf_testmod", false, Optional.empty(), true, true, 1),
                List.of(), new ModuleTable.ModuleCode() {
                    @Override
                    public int init() {
                        return 0;
                    }

                    @Override
                    public void exit() {
                    }
                });
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch everyWorkerGotOne = new CountDownLatch(threads);
        AtomicBoolean unloaded = new AtomicBoolean();
        AtomicInteger heldAtUnload = new AtomicInteger(-1);
        AtomicInteger gotAfterGoing = new AtomicInteger();
        List<Future<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String holder = "thread " + t;
            workers.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 20_000; i++) {
                    if (table.tryModuleGet(m, holder)) {
                        try {
                            if (i == 0) {
                                everyWorkerGotOne.countDown();
                            }
                            // while we hold a reference, no unforced delete_module can have made it
                            // GOING: a get that "succeeded" on a GOING module shows up here
                            if (m.state() == ModuleState.GOING) {
                                gotAfterGoing.incrementAndGet();
                            }
                            assertTrue(m.rawRefcnt() > 0, "a held module's refcount is positive");
                        } finally {
                            table.modulePut(m, holder);
                        }
                    } else {
                        assertTrue(i > 0, "the first get precedes every rmmod attempt");
                    }
                    if (m.rawRefcnt() < 0) {
                        throw new AssertionError("negative refcount");
                    }
                }
                return null;
            }));
        }
        workers.add(pool.submit(() -> {
            start.await();
            assertTrue(everyWorkerGotOne.await(60, TimeUnit.SECONDS), "every worker took a reference");
            while (!unloaded.get()) {
                var r = table.deleteModule("bpf_testmod", 0);
                if (r.ok()) {
                    heldAtUnload.set(r.holdersLeft().size());
                    unloaded.set(true);
                } else {
                    assertEquals(Errno.EWOULDBLOCK.negative(), r.ret(), "a refused rmmod is -EWOULDBLOCK");
                }
            }
            return null;
        }));
        start.countDown();
        pool.shutdown();
        try {
            for (Future<Void> w : workers) {
                // rethrows a worker's AssertionError (in an ExecutionException)
                w.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(unloaded.get(), "rmmod eventually succeeds once the holders are gone");
        assertEquals(0, heldAtUnload.get(), "rmmod succeeded only with no holder");
        assertEquals(0, gotAfterGoing.get(), "nothing could be got once GOING");
        assertTrue(m.isFreed());
        assertTrue(m.rawRefcnt() >= 0);
        assertFalse(klog.stream().anyMatch(l -> l.contains("negative")), klog.toString());
        // a get after the free fails (and is reported)
        assertFalse(table.tryModuleGet(m, "late"));
    }
}
