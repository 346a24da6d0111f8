#ifndef PARTYHUB_C_SYSTEM_H
#define PARTYHUB_C_SYSTEM_H

#include <stdint.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>

/// Number of CPUs this process may run on (sched_getaffinity), at least 1.
int partyhub_available_cpus(void);

/// Blocks SIGINT, SIGTERM (stop) and SIGHUP (reload the TLS certificate) in the calling
/// thread; threads created afterwards inherit the mask, so the signals wait for
/// `partyhub_wait_for_control_signal`.
int partyhub_block_control_signals(void);

/// Waits (sigwait) for SIGINT, SIGTERM or SIGHUP; returns the signal number.
int partyhub_wait_for_control_signal(void);

/// Ignores SIGPIPE process-wide: a peer that vanished is an error return, not a kill.
void partyhub_ignore_sigpipe(void);

/// epoll_event is packed on x86_64, so Swift cannot build it field by field portably.
int partyhub_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);

/// Waits for events; the results are unpacked into parallel arrays of flags and user data.
int partyhub_epoll_wait(int epfd, struct epoll_event *buffer, int capacity, int timeout_ms,
                        uint32_t *out_events, uint64_t *out_data);

/// Size in bytes of one epoll_event, to allocate a buffer for partyhub_epoll_wait.
size_t partyhub_epoll_event_size(void);

/// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC.
int partyhub_accept(int listener);

/// getrandom(2) without flags.
long partyhub_getrandom(void *buffer, size_t count);

/// Moves the calling thread to SCHED_IDLE (any other thread that wakes up takes the core from
/// it at once; a nice value only weighs its share; it still runs, slowly, on a busy core) and
/// to the idle I/O class.
int partyhub_set_thread_background(void);

/// sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER) over a range: writes it back and waits.
int partyhub_write_back(int fd, int64_t offset, int64_t length);

/// Names the calling thread (at most 15 bytes are kept), for top, perf and gdb.
int partyhub_set_thread_name(const char *name);

/// Sets the calling thread's nice value (Linux schedules threads, so this is per thread):
/// background work yields the core to the event loops.
int partyhub_set_thread_nice(int nice);

/// CLOCK_MONOTONIC in nanoseconds.
int64_t partyhub_monotonic_ns(void);

/// CLOCK_REALTIME in milliseconds since the Unix epoch.
int64_t partyhub_wall_ms(void);

/// Counters that one thread writes and others read (metrics): relaxed atomics, and a single
/// writer, so an increment is a plain load and store with no lock prefix.
static inline void partyhub_counter_add(int64_t *counter, int64_t delta) {
    __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + delta, __ATOMIC_RELAXED);
}
static inline void partyhub_counter_store(int64_t *counter, int64_t value) {
    __atomic_store_n(counter, value, __ATOMIC_RELAXED);
}
static inline int64_t partyhub_counter_load(const int64_t *counter) {
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/// CRC32C (Castagnoli) of `length` bytes, continuing from `crc` (0 to start): the SSE4.2
/// `crc32` instruction when the CPU has it (chosen at the first call), else a table.
uint32_t partyhub_crc32c(uint32_t crc, const void *data, size_t length);

/// 1 when `partyhub_crc32c` uses the SSE4.2 instruction, 0 when it uses the table.
int partyhub_crc32c_uses_hardware(void);

/// 1 when this CPU has the SSE4.2 `crc32` instruction.
int partyhub_crc32c_hardware_available(void);

/// The SSE4.2 implementation; only when `partyhub_crc32c_hardware_available()` (it traps
/// on other architectures).
uint32_t partyhub_crc32c_hardware(uint32_t crc, const void *data, size_t length);

/// The slicing-by-8 table implementation, on any CPU.
uint32_t partyhub_crc32c_software(uint32_t crc, const void *data, size_t length);

/// fallocate(FALLOC_FL_KEEP_SIZE): reserves blocks past the end without changing the size,
/// so appends into them need no block allocation. Returns 0, or -1 with errno.
int partyhub_preallocate(int fd, int64_t length);

#endif
