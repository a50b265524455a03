package io.krill.internal.reactor;

import io.krill.internal.jni.Errno;
import io.krill.internal.jni.IoOpDescriptor;
import io.krill.internal.ring.AddressSpace;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@link NativeIo}'s batch calls made one call per record, for backends without a batch call. */
final class IoOps {

    private IoOps() {}

    static int each(NativeIo io, long opsAddress, int count, boolean write) {
        if (count < 0) {
            return -Errno.EINVAL.number();
        }
        MemorySegment all = AddressSpace.ALL; // the records are at raw addresses, as C sees them
        for (int i = 0; i < count; i++) {
            long op = opsAddress + (long) i * IoOpDescriptor.SIZE_BYTES;
            int fd = all.get(ValueLayout.JAVA_INT, op + IoOpDescriptor.FD_OFFSET);
            if (fd < 0) {
                continue;
            }
            int length = all.get(ValueLayout.JAVA_INT, op + IoOpDescriptor.LENGTH_OFFSET);
            long address = all.get(ValueLayout.JAVA_LONG, op + IoOpDescriptor.ADDRESS_OFFSET);
            int result;
            if (length < 0) {
                result = -Errno.EINVAL.number();
            } else {
                result = write ? io.write(fd, address, length) : io.read(fd, address, length);
            }
            all.set(ValueLayout.JAVA_INT, op + IoOpDescriptor.LENGTH_OFFSET, result);
        }
        return count;
    }
}
