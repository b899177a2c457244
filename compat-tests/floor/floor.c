/* The floor client of compat-tests/bench.py: the least a client can do to
 * open paced connections, send one request on each and read its reply, so
 * that httperf-rs's CPU time can be given as a ratio to it.
 *
 * Per connection it makes only the calls no client can avoid: socket(), one
 * setsockopt (TCP_NODELAY), connect(), one epoll_ctl(ADD) with an
 * edge-triggered registration, write(), read() until the reply is complete
 * (Content-Length framing, or the end of the stream), and close(). Arrivals
 * are paced by a periodic timerfd: each expiration read opens as many
 * connections as periods went by. No statistics beyond three counters.
 *
 * With --httperf-duties it also does the two things httperf's semantics
 * oblige httperf-rs to do that the minimum does not: set httperf's default
 * socket buffer sizes (SO_SNDBUF 4096, SO_RCVBUF 16384: two more setsockopt
 * calls) and read the monotonic clock wherever httperf-rs takes a timestamp
 * (before and after each wait, connect start, send start and end, each read,
 * reply end, close). The bench runs it as a second floor, so that the gap
 * left between it and httperf-rs is the engine's own.
 *
 * Usage: floor SERVER PORT URI RATE NUM_CONNS [--httperf-duties]
 * Prints one line: "floor: connections N replies R errors E".
 * Exit status 0 when every connection got its reply, 1 otherwise, 2 on bad
 * arguments or a setup failure. Linux only (epoll, timerfd), IPv4 only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define TIMER_KEY UINT64_MAX
#define MAX_HEAD 16384
#define IDLE_LIMIT_MS 10000

enum phase { FREE, SENDING, READING_HEAD, READING_BODY, READING_TO_EOF };

/* One connection, indexed by its descriptor. `head` holds the start of a
 * reply whose headers did not come in one read (rare on loopback). */
struct conn {
    unsigned char phase;
    long long body_left;
    char *head;
    size_t head_len;
};

static struct conn *conns;
static size_t conns_len;
static long long replies, errors, closed;
static char request[4096];
static size_t request_len;
static char buffer[65536];
static int httperf_duties;
static volatile long long clock_sink;

/* One timestamp as httperf-rs takes it, when doing httperf's duties. */
static void timestamp(void)
{
    if (httperf_duties) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        clock_sink += now.tv_nsec;
    }
}

static void finish(int fd, int ok)
{
    struct conn *c = &conns[fd];
    timestamp();
    free(c->head);
    c->head = NULL;
    c->head_len = 0;
    c->phase = FREE;
    close(fd);
    closed++;
    if (ok)
        replies++;
    else
        errors++;
}

static void open_one(const struct sockaddr_in *server, int epfd)
{
    timestamp();
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        errors++;
        closed++;
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (httperf_duties) {
        int send_size = 4096, receive_size = 16384;
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_size, sizeof send_size);
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_size, sizeof receive_size);
    }
    if (connect(fd, (const struct sockaddr *)server, sizeof *server) != 0 && errno != EINPROGRESS) {
        close(fd);
        errors++;
        closed++;
        return;
    }
    if ((size_t)fd >= conns_len) {
        close(fd);
        errors++;
        closed++;
        return;
    }
    conns[fd].phase = SENDING;
    conns[fd].body_left = 0;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.u64 = (uint64_t)fd};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        finish(fd, 0);
}

/* The Content-Length of a complete header block, or -1 without one. */
static long long content_length(const char *head, size_t len)
{
    static const char name[] = "\ncontent-length:";
    size_t n = sizeof name - 1;
    for (size_t i = 0; i + n <= len; i++) {
        if (head[i] == '\n' && strncasecmp(head + i, name, n) == 0)
            return strtoll(head + i + n, NULL, 10);
    }
    return -1;
}

/* Takes `len` received bytes; returns 1 once the reply is complete. */
static int take(struct conn *c, const char *data, size_t len)
{
    if (c->phase == READING_HEAD) {
        const char *head = data;
        size_t head_len = len;
        if (c->head != NULL || memmem(data, len, "\r\n\r\n", 4) == NULL) {
            if (c->head_len + len > MAX_HEAD)
                return -1;
            char *grown = realloc(c->head, c->head_len + len);
            if (grown == NULL)
                return -1;
            memcpy(grown + c->head_len, data, len);
            c->head = grown;
            c->head_len += len;
            head = c->head;
            head_len = c->head_len;
        }
        const char *end = memmem(head, head_len, "\r\n\r\n", 4);
        if (end == NULL)
            return 0;
        size_t header_bytes = (size_t)(end - head) + 4;
        long long length = content_length(head, header_bytes);
        long long body_seen = (long long)(head_len - header_bytes);
        if (length < 0) {
            c->phase = READING_TO_EOF;
            return 0;
        }
        c->phase = READING_BODY;
        c->body_left = length - body_seen;
        return c->body_left <= 0;
    }
    if (c->phase == READING_BODY) {
        c->body_left -= (long long)len;
        return c->body_left <= 0;
    }
    return 0;
}

static void on_ready(int fd, uint32_t events)
{
    struct conn *c = &conns[fd];
    if (c->phase == SENDING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        timestamp();
        ssize_t n = write(fd, request, request_len);
        timestamp();
        if (n != (ssize_t)request_len) {
            finish(fd, 0);
            return;
        }
        c->phase = READING_HEAD;
    }
    if (c->phase == SENDING || !(events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
        return;
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        timestamp();
        if (n > 0) {
            int done = take(c, buffer, (size_t)n);
            if (done != 0) {
                timestamp();
                finish(fd, done > 0);
                return;
            }
            /* A short read drained the socket: the next arrival raises a new
             * edge, unless the peer already closed. */
            if ((size_t)n < sizeof buffer && !(events & (EPOLLRDHUP | EPOLLHUP)))
                return;
        } else if (n == 0) {
            finish(fd, c->phase == READING_TO_EOF);
            return;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN) {
            return;
        } else {
            finish(fd, 0);
            return;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc == 7 && strcmp(argv[6], "--httperf-duties") == 0) {
        httperf_duties = 1;
        argc--;
    }
    if (argc != 6) {
        fprintf(stderr, "usage: %s SERVER PORT URI RATE NUM_CONNS [--httperf-duties]\n", argv[0]);
        return 2;
    }
    struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
        fprintf(stderr, "floor: bad IPv4 address %s\n", argv[1]);
        return 2;
    }
    double rate = atof(argv[4]);
    long long total = atoll(argv[5]);
    if (rate <= 0 || total <= 0) {
        fprintf(stderr, "floor: RATE and NUM_CONNS must be positive\n");
        return 2;
    }
    int len = snprintf(request, sizeof request,
                       "GET %s HTTP/1.1\r\nUser-Agent: httperf/0.9.0\r\nHost: %s\r\n\r\n", argv[3],
                       argv[1]);
    if (len < 0 || (size_t)len >= sizeof request) {
        fprintf(stderr, "floor: URI too long\n");
        return 2;
    }
    request_len = (size_t)len;

    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    conns_len = files.rlim_cur > 1048576 ? 1048576 : (size_t)files.rlim_cur;
    conns = calloc(conns_len, sizeof *conns);
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (conns == NULL || epfd < 0 || tfd < 0) {
        perror("floor: setup");
        return 2;
    }
    long long period_ns = (long long)(1e9 / rate);
    if (period_ns < 1)
        period_ns = 1;
    struct itimerspec pace = {
        .it_interval = {.tv_sec = period_ns / 1000000000, .tv_nsec = period_ns % 1000000000},
        .it_value = {.tv_sec = 0, .tv_nsec = 1},
    };
    struct epoll_event tev = {.events = EPOLLIN, .data.u64 = TIMER_KEY};
    if (timerfd_settime(tfd, 0, &pace, NULL) != 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &tev) != 0) {
        perror("floor: timer");
        return 2;
    }

    long long opened = 0;
    struct epoll_event events[1024];
    while (closed < total) {
        timestamp();
        int n = epoll_wait(epfd, events, 1024, opened < total ? -1 : IDLE_LIMIT_MS);
        timestamp();
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("floor: epoll_wait");
            return 2;
        }
        if (n == 0)
            break; /* every connection opened, and nothing moved for a while */
        for (int i = 0; i < n; i++) {
            if (events[i].data.u64 == TIMER_KEY) {
                uint64_t due = 0;
                if (read(tfd, &due, sizeof due) != sizeof due)
                    continue;
                while (due-- > 0 && opened < total) {
                    opened++;
                    open_one(&server, epfd);
                }
                if (opened == total) {
                    close(tfd);
                    tfd = -1;
                }
            } else {
                on_ready((int)events[i].data.u64, events[i].events);
            }
        }
    }
    errors += total - closed;
    printf("floor: connections %lld replies %lld errors %lld\n", opened, replies, errors);
    return errors == 0 ? 0 : 1;
}
