/*
 * Guest side of VsockBootTest: a tiny AF_VSOCK client and server (busybox has none).
 *   vsock-probe connect CID PORT MESSAGE  - connects, sends MESSAGE, half-closes, prints the reply
 *   vsock-probe serve PORT                - accepts one connection, answers "guest got: <what it read>"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return -1;
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

/* Reads until EOF (or the buffer is full); returns the length. */
static size_t read_all(int fd, char *buf, size_t cap) {
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r <= 0) break;
        n += (size_t) r;
    }
    return n;
}

static struct sockaddr_vm address(unsigned cid, unsigned port) {
    struct sockaddr_vm a;
    memset(&a, 0, sizeof a);
    a.svm_family = AF_VSOCK;
    a.svm_cid = cid;
    a.svm_port = port;
    return a;
}

int main(int argc, char **argv) {
    char buf[4096];
    if (argc == 5 && strcmp(argv[1], "connect") == 0) {
        int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
        struct sockaddr_vm a = address((unsigned) atoi(argv[2]), (unsigned) atoi(argv[3]));
        if (fd < 0 || connect(fd, (struct sockaddr *) &a, sizeof a) != 0) {
            perror("vsock-probe connect");
            return 1;
        }
        if (write_all(fd, argv[4], strlen(argv[4])) != 0 || shutdown(fd, SHUT_WR) != 0) {
            perror("vsock-probe write");
            return 1;
        }
        size_t n = read_all(fd, buf, sizeof buf - 1);
        buf[n] = 0;
        printf("vsock-reply [%s]\n", buf);
        close(fd);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "serve") == 0) {
        int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
        struct sockaddr_vm a = address(VMADDR_CID_ANY, (unsigned) atoi(argv[2]));
        if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof a) != 0 || listen(fd, 1) != 0) {
            perror("vsock-probe listen");
            return 1;
        }
        printf("vsock-listening %s\n", argv[2]);
        fflush(stdout);
        int c = accept(fd, NULL, NULL);
        if (c < 0) {
            perror("vsock-probe accept");
            return 1;
        }
        size_t n = read_all(c, buf, sizeof buf - 1);
        buf[n] = 0;
        char reply[4200];
        snprintf(reply, sizeof reply, "guest got: %s", buf);
        write_all(c, reply, strlen(reply));
        close(c);
        printf("vsock-served [%s]\n", buf);
        return 0;
    }
    fprintf(stderr, "usage: vsock-probe connect CID PORT MESSAGE | serve PORT\n");
    return 2;
}
