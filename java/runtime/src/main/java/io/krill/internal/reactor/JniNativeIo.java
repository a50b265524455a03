package io.krill.internal.reactor;

import io.krill.internal.jni.EpollNative;
import io.krill.internal.jni.NativeLibrary;
import io.krill.internal.jni.SocketNative;

/** {@link NativeIo} on libkrill's JNI shims (Linux). */
public final class JniNativeIo implements NativeIo {

    /** Loads libkrill on first use. */
    public static NativeIo load() {
        NativeLibrary.load();
        return INSTANCE;
    }

    private static final JniNativeIo INSTANCE = new JniNativeIo();

    private JniNativeIo() {}

    @Override
    public int epollCreate() {
        return EpollNative.epollCreate();
    }

    @Override
    public int epollAdd(int epfd, int fd, int interest, long token) {
        return EpollNative.epollAdd(epfd, fd, interest, token);
    }

    @Override
    public int epollDelete(int epfd, int fd) {
        return EpollNative.epollDelete(epfd, fd);
    }

    @Override
    public int epollWaitRing(int epfd, long ringAddress, int timeoutMillis) {
        return EpollNative.epollWaitRing(epfd, ringAddress, timeoutMillis);
    }

    @Override
    public int eventfdCreate() {
        return EpollNative.eventfdCreate();
    }

    @Override
    public int eventfdWrite(int fd, long value) {
        return EpollNative.eventfdWrite(fd, value);
    }

    @Override
    public long eventfdRead(int fd) {
        return EpollNative.eventfdRead(fd);
    }

    @Override
    public int close(int fd) {
        return SocketNative.close(fd);
    }
}
