package io.krill.internal.reactor;

import io.krill.internal.executor.WorkerThread;
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
    public String name() {
        return "jni";
    }

    @Override
    public int epollCreate() {
        WorkerThread.countCrossing();
        return EpollNative.epollCreate();
    }

    @Override
    public int epollAdd(int epfd, int fd, int interest, long token) {
        WorkerThread.countCrossing();
        return EpollNative.epollAdd(epfd, fd, interest, token);
    }

    @Override
    public int epollDelete(int epfd, int fd) {
        WorkerThread.countCrossing();
        return EpollNative.epollDelete(epfd, fd);
    }

    @Override
    public int epollWaitRing(int epfd, long ringAddress, int timeoutMillis) {
        WorkerThread.countCrossing();
        return EpollNative.epollWaitRing(epfd, ringAddress, timeoutMillis);
    }

    @Override
    public int eventfdCreate() {
        WorkerThread.countCrossing();
        return EpollNative.eventfdCreate();
    }

    @Override
    public int eventfdWrite(int fd, long value) {
        WorkerThread.countCrossing();
        return EpollNative.eventfdWrite(fd, value);
    }

    @Override
    public long eventfdRead(int fd) {
        WorkerThread.countCrossing();
        return EpollNative.eventfdRead(fd);
    }

    @Override
    public int close(int fd) {
        WorkerThread.countCrossing();
        return SocketNative.close(fd);
    }

    @Override
    public int open(int family, int type) {
        WorkerThread.countCrossing();
        return SocketNative.open(family, type);
    }

    @Override
    public int bind(int fd, long sockaddrAddress) {
        WorkerThread.countCrossing();
        return SocketNative.bind(fd, sockaddrAddress);
    }

    @Override
    public int listen(int fd, int backlog) {
        WorkerThread.countCrossing();
        return SocketNative.listen(fd, backlog);
    }

    @Override
    public int accept(int fd, long peerSockaddrAddressOrZero) {
        WorkerThread.countCrossing();
        return SocketNative.accept(fd, peerSockaddrAddressOrZero);
    }

    @Override
    public int connect(int fd, long sockaddrAddress) {
        WorkerThread.countCrossing();
        return SocketNative.connect(fd, sockaddrAddress);
    }

    @Override
    public int finishConnect(int fd) {
        WorkerThread.countCrossing();
        return SocketNative.finishConnect(fd);
    }

    @Override
    public int read(int fd, long address, int length) {
        WorkerThread.countCrossing();
        return SocketNative.read(fd, address, length);
    }

    @Override
    public int write(int fd, long address, int length) {
        WorkerThread.countCrossing();
        return SocketNative.write(fd, address, length);
    }

    @Override
    public long writev(int fd, long iovecAddress, int count) {
        WorkerThread.countCrossing();
        return SocketNative.writev(fd, iovecAddress, count);
    }

    @Override
    public int readBatch(long opsAddress, int count) {
        WorkerThread.countCrossing();
        return SocketNative.readBatch(opsAddress, count);
    }

    @Override
    public int writeBatch(long opsAddress, int count) {
        WorkerThread.countCrossing();
        return SocketNative.writeBatch(opsAddress, count);
    }

    @Override
    public int shutdown(int fd, int how) {
        WorkerThread.countCrossing();
        return SocketNative.shutdown(fd, how);
    }

    @Override
    public int setOption(int fd, int option, int value) {
        WorkerThread.countCrossing();
        return SocketNative.setOption(fd, option, value);
    }

    @Override
    public long getOption(int fd, int option) {
        WorkerThread.countCrossing();
        return SocketNative.getOption(fd, option);
    }

    @Override
    public int localAddress(int fd, long sockaddrAddress) {
        WorkerThread.countCrossing();
        return SocketNative.localAddress(fd, sockaddrAddress);
    }

    @Override
    public int peerAddress(int fd, long sockaddrAddress) {
        WorkerThread.countCrossing();
        return SocketNative.peerAddress(fd, sockaddrAddress);
    }
}
