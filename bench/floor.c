/* The system-call floor of the benchmark's cases: the same operations in C.
 *
 *   floor pingpong N      64-byte send+recv round trips over socketpair(): ns per round trip
 *   floor udp N           64-byte sendto+recvfrom over 127.0.0.1 UDP: ns per datagram
 *   floor create N        socket(AF_INET, SOCK_STREAM) + close: ns per socket
 *   floor bulk MIB CHUNK  MIB MiB over 127.0.0.1 TCP in CHUNK-byte send()s (a forked child
 *                         sends, the parent recv()s): MiB/s
 *   floor mmsg N          N batches of 64 64-byte datagrams, sendmmsg() then recvmmsg(), over
 *                         127.0.0.1 UDP: datagrams per second
 *
 * Prints one number. Built by bench/floor.py with the machine's C compiler.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SMALL 64

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void exact(ssize_t got, ssize_t want, const char *what) {
    if (got != want) die(what);
}

static double pingpong(long n) {
    int fds[2];
    char out[SMALL], in[SMALL];
    memset(out, 'x', sizeof out);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0) die("socketpair");
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        exact(send(fds[0], out, SMALL, 0), SMALL, "send");
        exact(recv(fds[1], in, SMALL, 0), SMALL, "recv");
        exact(send(fds[1], out, SMALL, 0), SMALL, "send");
        exact(recv(fds[0], in, SMALL, 0), SMALL, "recv");
    }
    double elapsed = now_ns() - start;
    close(fds[0]);
    close(fds[1]);
    return elapsed / (double)n;
}

static int loopback_socket(int type, struct sockaddr_in *bound) {
    socklen_t len = sizeof *bound;
    int fd = socket(AF_INET, type, 0);
    if (fd < 0) die("socket");
    memset(bound, 0, sizeof *bound);
    bound->sin_family = AF_INET;
    bound->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)bound, sizeof *bound) < 0) die("bind");
    if (getsockname(fd, (struct sockaddr *)bound, &len) < 0) die("getsockname");
    return fd;
}

static double udp(long n) {
    struct sockaddr_in to, from;
    socklen_t fromlen;
    char out[SMALL], in[SMALL];
    memset(out, 'x', sizeof out);
    int rx = loopback_socket(SOCK_DGRAM, &to);
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    if (tx < 0) die("socket");
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        exact(sendto(tx, out, SMALL, 0, (struct sockaddr *)&to, sizeof to), SMALL, "sendto");
        fromlen = sizeof from;
        exact(recvfrom(rx, in, SMALL, 0, (struct sockaddr *)&from, &fromlen), SMALL, "recvfrom");
    }
    double elapsed = now_ns() - start;
    close(tx);
    close(rx);
    return elapsed / (double)n;
}

static double create(long n) {
    double start = now_ns();
    for (long i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) die("socket");
        close(fd);
    }
    return (now_ns() - start) / (double)n;
}

static void send_all(int fd, long total, long chunk) {
    char *data = calloc(1, (size_t)chunk);
    if (!data) die("calloc");
    for (long left = total; left > 0;) {
        long want = left < chunk ? left : chunk;
        for (long off = 0; off < want;) {
            ssize_t sent = send(fd, data + off, (size_t)(want - off), 0);
            if (sent < 0) die("send");
            off += sent;
        }
        left -= want;
    }
    free(data);
}

static double bulk(long mib, long chunk) {
    struct sockaddr_in addr;
    long total = mib * 1024 * 1024;
    int listener = loopback_socket(SOCK_STREAM, &addr);
    if (listen(listener, 1) < 0) die("listen");
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
        send_all(fd, total, chunk);
        close(fd);
        _exit(0);
    }
    int conn = accept(listener, NULL, NULL);
    if (conn < 0) die("accept");
    char *buf = malloc((size_t)chunk);
    if (!buf) die("malloc");
    double start = now_ns();
    for (long got = 0; got < total;) {
        ssize_t n = recv(conn, buf, (size_t)chunk, 0);
        if (n <= 0) die("recv");
        got += n;
    }
    double elapsed = now_ns() - start;
    free(buf);
    close(conn);
    close(listener);
    waitpid(child, NULL, 0);
    return (double)mib / (elapsed / 1e9);
}

#define BATCH 64

static double mmsg(long batches) {
    struct sockaddr_in to;
    struct mmsghdr out[BATCH], in[BATCH];
    struct iovec out_iov[BATCH], in_iov[BATCH];
    static char payload[SMALL], bufs[BATCH][SMALL];
    memset(payload, 'x', sizeof payload);
    int rx = loopback_socket(SOCK_DGRAM, &to);
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    if (tx < 0) die("socket");
    memset(out, 0, sizeof out);
    memset(in, 0, sizeof in);
    for (int i = 0; i < BATCH; i++) {
        out_iov[i] = (struct iovec){payload, SMALL};
        out[i].msg_hdr = (struct msghdr){.msg_name = &to, .msg_namelen = sizeof to,
                                         .msg_iov = &out_iov[i], .msg_iovlen = 1};
        in_iov[i] = (struct iovec){bufs[i], SMALL};
        in[i].msg_hdr = (struct msghdr){.msg_iov = &in_iov[i], .msg_iovlen = 1};
    }
    double start = now_ns();
    for (long b = 0; b < batches; b++) {
        for (int sent = 0; sent < BATCH;) {
            int n = sendmmsg(tx, out + sent, BATCH - sent, 0);
            if (n <= 0) die("sendmmsg");
            sent += n;
        }
        for (int got = 0; got < BATCH;) {
            int n = recvmmsg(rx, in + got, BATCH - got, 0, NULL);
            if (n <= 0) die("recvmmsg");
            got += n;
        }
    }
    double elapsed = now_ns() - start;
    close(tx);
    close(rx);
    return (double)(batches * BATCH) / (elapsed / 1e9);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: floor pingpong|udp|create|mmsg N | floor bulk MIB CHUNK\n");
        return 2;
    }
    long n = atol(argv[2]);
    double result;
    if (!strcmp(argv[1], "pingpong")) result = pingpong(n);
    else if (!strcmp(argv[1], "udp")) result = udp(n);
    else if (!strcmp(argv[1], "create")) result = create(n);
    else if (!strcmp(argv[1], "mmsg")) result = mmsg(n);
    else if (!strcmp(argv[1], "bulk") && argc == 4) result = bulk(n, atol(argv[3]));
    else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    printf("%.3f\n", result);
    return 0;
}
