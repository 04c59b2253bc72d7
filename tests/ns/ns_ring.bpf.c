/* A ring buffer and a perf event array shared by the processes of a
 * namespace (tests/ns/test_ns_ringbuf.c, test_ns_perf_buffer.c). The maps
 * are pinned by name, so every process that loads this object writes to
 * and reads from the same ones. The packet says who writes what: a
 * producer id, a sequence number and which ring. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define EVENT_WORDS 6

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} small_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} perf_events SEC(".maps");

struct request {
	__u32 producer;
	__u32 seq;
	__u32 small; /* 1: small_events */
	__u32 spin;  /* iterations between reserve and submit */
};

/* Every word says who wrote the record and which one it is, so that a
 * reader tells a whole record from a torn one. */
struct event {
	__u32 producer;
	__u32 seq;
	__u64 words[EVENT_WORDS];
};

static __always_inline __u64 event_word(__u32 producer, __u32 seq, int i)
{
	return ((__u64)producer << 40) ^ ((__u64)seq << 8) ^ (__u64)i;
}

static __always_inline struct request *request_of(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct request *req = data;

	return (void *)(req + 1) > end ? NULL : req;
}

/* 0: submitted; 1: the ring had no room (bpf_ringbuf_reserve gave NULL). */
SEC("tc")
int ring_output(struct __sk_buff *skb)
{
	struct request *req = request_of(skb);
	volatile __u64 widen = 0;
	struct event *ev;
	__u32 spin;

	if (!req)
		return -1;
	spin = req->spin;
	ev = req->small ? bpf_ringbuf_reserve(&small_events, sizeof(*ev), 0)
			: bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev)
		return 1;
	ev->producer = req->producer;
	ev->seq = req->seq;
	for (int i = 0; i < EVENT_WORDS; i++) {
		ev->words[i] = event_word(req->producer, req->seq, i);
		/* A window in which a kill finds the record reserved. */
		for (__u32 j = 0; j < 100 && j < spin; j++)
			widen += j;
	}
	bpf_ringbuf_submit(ev, 0);
	return widen & 0x80000000 ? 2 : 0;
}

/* bpf_perf_event_output's result: 0, or -ENOSPC when the buffer is full. */
SEC("tc")
int perf_output(struct __sk_buff *skb)
{
	struct request *req = request_of(skb);
	struct event ev = {};

	if (!req)
		return -1;
	ev.producer = req->producer;
	ev.seq = req->seq;
	for (int i = 0; i < EVENT_WORDS; i++)
		ev.words[i] = event_word(req->producer, req->seq, i);
	return bpf_perf_event_output(skb, &perf_events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
}

char LICENSE[] SEC("license") = "GPL";
