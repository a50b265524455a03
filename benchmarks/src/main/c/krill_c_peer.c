/*
 * krill_c_peer MODE PORT THREADS: the limit peer for the load harness (#19): the same protocols
 * as ci/serve (echo: every byte back; http: "HTTP/1.1 200 OK", Content-Length 5, "Hello" for
 * each pipelined request) in plain C on epoll, the way a careful C server would be written: one
 * thread per worker, each with its own epoll instance and its own SO_REUSEPORT listener,
 * edge-triggered, non-blocking, one read buffer per thread, a write backlog only for what a
 * short write left, and write interest (EPOLLOUT) only while such a backlog waits: a socket
 * that is always writable would otherwise raise an event after every send. What Krill spends
 * per message above this server is the runtime's own cost.
 *
 * Prints "c MODE server on 127.0.0.1:PORT with N workers" once listening; exits 0 on SIGTERM
 * or SIGINT.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUFFER_BYTES (64 * 1024)
#define MAX_EVENTS 256
#define MAX_THREADS 64

static const char RESPONSE[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHello";
#define RESPONSE_BYTES (sizeof(RESPONSE) - 1)

static volatile sig_atomic_t stopping;
static int http_mode;
static int port;

struct connection {
    int fd;
    int epfd;             /* the thread's epoll, for turning write interest on and off */
    int writing;          /* EPOLLOUT is in the interest set */
    int matched;          /* http: bytes of "\r\n\r\n" matched at the end of the last read */
    char *pending;        /* bytes a short write left, sent when the socket is writable again */
    size_t pending_bytes;
    size_t pending_capacity;
};

static void on_signal(int signal_number) {
    (void)signal_number;
    stopping = 1;
}

static void die(const char *what) {
    fprintf(stderr, "krill_c_peer: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int open_listener(void) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) die("SO_REUSEADDR");
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) die("SO_REUSEPORT");
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0) die("bind");
    if (listen(fd, 1024) != 0) die("listen");
    if (port == 0) {
        socklen_t length = sizeof(address);
        if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) die("getsockname");
        port = ntohs(address.sin_port); /* the other threads' listeners join this port */
    }
    return fd;
}

static void close_connection(struct connection *c) {
    close(c->fd);
    free(c->pending);
    free(c);
}

/* Writes all of [data, data + length), keeping what the socket would not take. 0, or -1 to close. */
static int send_or_keep(struct connection *c, const char *data, size_t length) {
    while (c->pending_bytes == 0 && length > 0) {
        ssize_t n = send(c->fd, data, length, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            return -1;
        }
        data += n;
        length -= (size_t)n;
    }
    if (length == 0) return 0;
    if (c->pending_bytes + length > c->pending_capacity) {
        size_t capacity = c->pending_capacity ? c->pending_capacity : 4096;
        while (capacity < c->pending_bytes + length) capacity *= 2;
        char *grown = realloc(c->pending, capacity);
        if (grown == NULL) return -1;
        c->pending = grown;
        c->pending_capacity = capacity;
    }
    memcpy(c->pending + c->pending_bytes, data, length);
    c->pending_bytes += length;
    return 0;
}

/* Sends the backlog; 0 when it is empty now, 1 when some is left, -1 to close. */
static int flush_pending(struct connection *c) {
    size_t sent = 0;
    while (sent < c->pending_bytes) {
        ssize_t n = send(c->fd, c->pending + sent, c->pending_bytes - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            return -1;
        }
        sent += (size_t)n;
    }
    memmove(c->pending, c->pending + sent, c->pending_bytes - sent);
    c->pending_bytes -= sent;
    return c->pending_bytes == 0 ? 0 : 1;
}

/* Counts the requests that end in this read: each "\r\n\r\n", matched across reads. */
static size_t count_requests(struct connection *c, const char *data, size_t length) {
    static const char END[] = "\r\n\r\n";
    size_t requests = 0;
    int matched = c->matched;
    for (size_t i = 0; i < length; i++) {
        if (data[i] == END[matched]) {
            if (++matched == 4) {
                requests++;
                matched = 0;
            }
        } else {
            matched = data[i] == '\r' ? 1 : 0;
        }
    }
    c->matched = matched;
    return requests;
}

/* Asks for EPOLLOUT while a backlog waits, and stops asking once it drained. 0, or -1. */
static int want_writable(struct connection *c, int on) {
    if (c->writing == on) return 0;
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (on ? EPOLLOUT : 0);
    event.data.ptr = c;
    if (epoll_ctl(c->epfd, EPOLL_CTL_MOD, c->fd, &event) != 0) return -1;
    c->writing = on;
    return 0;
}

/* Reads until EAGAIN (edge-triggered), answering as it goes. 0, or -1 to close. */
static int serve(struct connection *c, uint32_t events, char *buffer, char *responses, size_t responses_capacity) {
    if (c->pending_bytes > 0) {
        int left = flush_pending(c);
        if (left != 0) return left < 0 ? -1 : 0; /* backpressure: read again once it drained */
    }
    if (want_writable(c, 0) != 0) return -1; /* drained (or never queued): no EPOLLOUT */
    for (;;) {
        ssize_t n = read(c->fd, buffer, READ_BUFFER_BYTES);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN ? 0 : -1;
        }
        if (n == 0) return -1; /* the peer's FIN: both protocols are done */
        if (!http_mode) {
            if (send_or_keep(c, buffer, (size_t)n) != 0) return -1;
        } else {
            size_t requests = count_requests(c, buffer, (size_t)n);
            while (requests > 0) {
                size_t batch = requests < responses_capacity ? requests : responses_capacity;
                if (send_or_keep(c, responses, batch * RESPONSE_BYTES) != 0) return -1;
                requests -= batch;
            }
        }
        if (c->pending_bytes > 0) return want_writable(c, 1); /* stop reading until the socket takes the backlog */
        /* A read shorter than the buffer emptied the socket's queue at that moment: more data
         * raises a new edge, so skip the read that would only say EAGAIN (as Netty and Krill do),
         * unless the peer's FIN was seen: no edge follows it, so read on to the end of stream. */
        if ((size_t)n < READ_BUFFER_BYTES && (events & EPOLLRDHUP) == 0) return 0;
    }
}

static void *run(void *arg) {
    int listener = (int)(intptr_t)arg;
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die("epoll_create1");
    struct epoll_event event;
    memset(&event, 0, sizeof(event));
    event.events = EPOLLIN;
    event.data.ptr = NULL; /* NULL: the listener */
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &event) != 0) die("epoll_ctl(listener)");
    char *buffer = malloc(READ_BUFFER_BYTES);
    size_t responses_capacity = READ_BUFFER_BYTES / 4; /* at most one request per 4 bytes read */
    char *responses = malloc(responses_capacity * RESPONSE_BYTES);
    if (buffer == NULL || responses == NULL) die("malloc");
    for (size_t i = 0; i < responses_capacity; i++) memcpy(responses + i * RESPONSE_BYTES, RESPONSE, RESPONSE_BYTES);
    struct epoll_event events[MAX_EVENTS];
    while (!stopping) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, 200);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct connection *c = events[i].data.ptr;
            if (c == NULL) {
                for (;;) {
                    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) break; /* EAGAIN, or a transient error: the next event retries */
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                    c = calloc(1, sizeof(*c));
                    if (c == NULL) {
                        close(fd);
                        continue;
                    }
                    c->fd = fd;
                    c->epfd = epfd;
                    struct epoll_event added;
                    memset(&added, 0, sizeof(added));
                    added.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
                    added.data.ptr = c;
                    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &added) != 0) close_connection(c);
                }
                continue;
            }
            if ((events[i].events & (EPOLLERR | EPOLLHUP)) != 0
                    || serve(c, events[i].events, buffer, responses, responses_capacity) != 0) {
                close_connection(c); /* close removes it from the epoll set */
            }
        }
    }
    /* Connections still open are the process's to close at exit. */
    free(buffer);
    free(responses);
    close(epfd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[1], "echo") != 0 && strcmp(argv[1], "http") != 0)) {
        fprintf(stderr, "usage: krill_c_peer MODE PORT THREADS   (MODE: echo | http)\n");
        return 2;
    }
    http_mode = strcmp(argv[1], "http") == 0;
    port = atoi(argv[2]);
    int threads = atoi(argv[3]);
    if (port < 0 || port > 65535 || threads < 1 || threads > MAX_THREADS) {
        fprintf(stderr, "krill_c_peer: PORT must be 0..65535 and THREADS 1..%d\n", MAX_THREADS);
        return 2;
    }
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_signal; /* no SA_RESTART: epoll_wait returns EINTR */
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    int listeners[MAX_THREADS];
    for (int i = 0; i < threads; i++) listeners[i] = open_listener();
    printf("c %s server on 127.0.0.1:%d with %d workers\n", argv[1], port, threads);
    fflush(stdout);
    pthread_t ids[MAX_THREADS];
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&ids[i], NULL, run, (void *)(intptr_t)listeners[i]) != 0) die("pthread_create");
    }
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    for (int i = 0; i < threads; i++) close(listeners[i]);
    return 0;
}
