package io.krill.internal.ring;

import java.lang.foreign.MemorySegment;

/**
 * All of the process's address space as one segment, for Java code that is handed raw
 * addresses the way C is (a ring's, a buffer's) and must read or write there without making a
 * segment per call. The offset into {@link #ALL} is the absolute address, so the aligned-access
 * checks of {@code ValueLayout}s see the real alignment. Nothing bounds an access: a wrong
 * address is a crash, as in C, so only code that already holds addresses C would take uses it.
 */
public final class AddressSpace {

    private AddressSpace() {}

    /**
     * Address 0 up: {@code ALL.get(layout, address)} reads at {@code address}. Restricted (JEP
     * 442): it runs under the same {@code --enable-native-access} as every native call.
     */
    @SuppressWarnings("restricted")
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
}
