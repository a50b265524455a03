package io.krill.benchmarks.faults;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * This JVM's collections since {@link #reset}: how many, and the longest one (the JVM reports
 * each in whole milliseconds). A load client's own pauses look like the server's stalls to it,
 * so the fault load reports them beside the canary's figures.
 */
final class GcWatch {

    private final AtomicLong collections = new AtomicLong();
    private final AtomicLong longestMillis = new AtomicLong();
    private final AtomicLong totalMillis = new AtomicLong();

    GcWatch() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        long millis = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData())
                                .getGcInfo().getDuration();
                        collections.incrementAndGet();
                        totalMillis.addAndGet(millis);
                        longestMillis.accumulateAndGet(millis, Math::max);
                    }
                }, null, null);
            }
        }
    }

    void reset() {
        collections.set(0);
        longestMillis.set(0);
        totalMillis.set(0);
    }

    long collections() {
        return collections.get();
    }

    long longestMillis() {
        return longestMillis.get();
    }

    long totalMillis() {
        return totalMillis.get();
    }
}
