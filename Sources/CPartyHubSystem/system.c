#define _GNU_SOURCE
#include "CPartyHubSystem.h"
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/random.h>
#include <fcntl.h>

int partyhub_available_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}

static void control_signals(sigset_t *mask) {
    sigemptyset(mask);
    sigaddset(mask, SIGINT);
    sigaddset(mask, SIGTERM);
    sigaddset(mask, SIGHUP);
}

int partyhub_block_control_signals(void) {
    sigset_t mask;
    control_signals(&mask);
    return pthread_sigmask(SIG_BLOCK, &mask, NULL);
}

int partyhub_wait_for_control_signal(void) {
    sigset_t mask;
    control_signals(&mask);
    int signal_number = 0;
    while (sigwait(&mask, &signal_number) != 0) {}
    return signal_number;
}

void partyhub_ignore_sigpipe(void) {
    signal(SIGPIPE, SIG_IGN);
}

int partyhub_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &event);
}

int partyhub_epoll_wait(int epfd, struct epoll_event *buffer, int capacity, int timeout_ms,
                        uint32_t *out_events, uint64_t *out_data) {
    int n = epoll_wait(epfd, buffer, capacity, timeout_ms);
    for (int i = 0; i < n; i++) {
        out_events[i] = buffer[i].events;
        out_data[i] = buffer[i].data.u64;
    }
    return n;
}

size_t partyhub_epoll_event_size(void) { return sizeof(struct epoll_event); }

int64_t partyhub_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t partyhub_wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int partyhub_accept(int listener) {
    return accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

long partyhub_getrandom(void *buffer, size_t count) {
    return (long)getrandom(buffer, count, 0);
}

int partyhub_preallocate(int fd, int64_t length) {
    return fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)length);
}

#include <sys/resource.h>
#include <sys/syscall.h>

int partyhub_set_thread_name(const char *name) {
    char truncated[16];
    size_t length = 0;
    while (name[length] != 0 && length < sizeof(truncated) - 1) { truncated[length] = name[length]; length++; }
    truncated[length] = 0;
    return pthread_setname_np(pthread_self(), truncated);
}

int partyhub_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}

int partyhub_write_back(int fd, int64_t offset, int64_t length) {
    return sync_file_range(fd, offset, length,
                           SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
}

int partyhub_set_thread_background(void) {
    struct sched_param parameters = { .sched_priority = 0 };
    int result = pthread_setschedparam(pthread_self(), SCHED_IDLE, &parameters);
    // The idle I/O class too (IOPRIO_WHO_PROCESS 1, this thread 0, IOPRIO_CLASS_IDLE 3 << 13):
    // an I/O scheduler that honours it (mq-deadline, bfq) serves the log's syncs first.
    long io = syscall(SYS_ioprio_set, 1, 0, 3 << 13);
    return result != 0 ? result : (int)io;
}
