package io.krill.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The chat server with plain JDK clients: a line reaches every other member, never its sender. */
@EnabledOnOs(OS.LINUX)
class ChatTest {

    private static final int WAIT_SECONDS = 30;

    private record Member(Socket socket, BufferedReader in, OutputStream out) implements AutoCloseable {
        static Member join(Chat chat) throws Exception {
            Socket socket = new Socket(chat.address().getAddress(), chat.address().getPort());
            socket.setSoTimeout(WAIT_SECONDS * 1000);
            return new Member(socket, new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)),
                    socket.getOutputStream());
        }

        void say(String text) throws Exception {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static void waitForMembers(Chat chat, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (chat.members() != count) {
            assertTrue(System.nanoTime() < deadline, "members: " + chat.members() + ", expected " + count);
            Thread.sleep(5);
        }
    }

    @Test
    void aLineReachesEveryOtherMemberAndNotItsSender() throws Exception {
        try (Chat chat = Chat.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2);
                Member alice = Member.join(chat); Member bob = Member.join(chat); Member carol = Member.join(chat)) {
            waitForMembers(chat, 3);
            alice.say("hello\n");
            assertEquals("hello", bob.in().readLine());
            assertEquals("hello", carol.in().readLine());
            bob.say("hi al"); // a line in two writes
            Thread.sleep(20);
            bob.say("ice\n");
            assertEquals("hi alice", alice.in().readLine(), "alice's first line is bob's: her own never came back");
            assertEquals("hi alice", carol.in().readLine());
            carol.socket().close(); // carol leaves
            waitForMembers(chat, 2);
            alice.say("bye\n");
            assertEquals("bye", bob.in().readLine());
            assertEquals(0, chat.dropped());
        }
    }
}
