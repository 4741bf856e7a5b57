/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlinux-builtin.h: the built-in base BTF of bpf-osgi, used when the machine has no readable
 * /sys/kernel/btf/vmlinux (or with --vmlinux builtin). A subset of a 6.18 x86-64 vmlinux.h:
 * the kernel types the three subsystems (bpf_testmod, bpf qdisc, tcp congestion control) and
 * the verifier need, with the kernel's field names. Structs are trimmed (sizes differ from the
 * real kernel's) but their layout is the x86-64 ABI of the declarations below.
 * Compiled by org.bpfosgi.btf.CDeclCompiler with no base.
 */
#pragma once

typedef signed char __s8;
typedef unsigned char __u8;
typedef short int __s16;
typedef short unsigned int __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long int __s64;
typedef long long unsigned int __u64;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef _Bool bool;
typedef long unsigned int __kernel_ulong_t;
typedef __kernel_ulong_t __kernel_size_t;
typedef __kernel_size_t size_t;
typedef s64 ktime_t;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef u32 netdev_features_t;

enum {
	false = 0,
	true = 1,
};

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	s64 counter;
} atomic64_t;

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

struct qspinlock {
	atomic_t val;
};

typedef struct qspinlock arch_spinlock_t;

struct raw_spinlock {
	arch_spinlock_t raw_lock;
};

struct spinlock {
	struct raw_spinlock rlock;
};

typedef struct spinlock spinlock_t;

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

struct hlist_node {
	struct hlist_node *next;
	struct hlist_node **pprev;
};

struct llist_node {
	struct llist_node *next;
};

struct rb_node {
	long unsigned int __rb_parent_color;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
} __attribute__((aligned(8)));

struct callback_head {
	struct callback_head *next;
	void (*func)(struct callback_head *);
};

/* ---------------------------------------------------------------- modules */

enum module_state {
	MODULE_STATE_LIVE = 0,
	MODULE_STATE_COMING = 1,
	MODULE_STATE_GOING = 2,
	MODULE_STATE_UNFORMED = 3,
};

struct module {
	enum module_state state;
	struct list_head list;
	char name[56];
	struct list_head source_list;
	struct list_head target_list;
	atomic_t refcnt;
	unsigned int btf_data_size;
	void *btf_data;
	int (*init)(void);
	void (*exit)(void);
};

/* ---------------------------------------------------------------- netlink */

struct nlattr {
	__u16 nla_len;
	__u16 nla_type;
};

struct netlink_ext_ack {
	const char *_msg;
	const struct nlattr *bad_attr;
	const struct nla_policy *policy;
	const struct nlattr *miss_nest;
	u16 miss_type;
	u8 cookie[20];
	u8 cookie_len;
	char _msg_buf[80];
};

/* ---------------------------------------------------------------- sk_buff */

struct net_device {
	char name[16];
	int ifindex;
	unsigned int flags;
	netdev_features_t features;
	unsigned int mtu;
};

struct sk_buff {
	union {
		struct {
			struct sk_buff *next;
			struct sk_buff *prev;
			union {
				struct net_device *dev;
				long unsigned int dev_scratch;
			};
		};
		struct rb_node rbnode;
		struct list_head list;
		struct llist_node ll_node;
	};
	struct sock *sk;
	union {
		ktime_t tstamp;
		u64 skb_mstamp_ns;
	};
	char cb[48];
	union {
		struct {
			long unsigned int _skb_refdst;
			void (*destructor)(struct sk_buff *);
		};
		struct list_head tcp_tsorted_anchor;
		long unsigned int _sk_redir;
	};
	long unsigned int _nfct;
	unsigned int len;
	unsigned int data_len;
	__u16 mac_len;
	__u16 hdr_len;
	__u16 queue_mapping;
	__u8 cloned: 1;
	__u8 nohdr: 1;
	__u8 fclone: 2;
	__u8 peeked: 1;
	__u8 head_frag: 1;
	__u8 pfmemalloc: 1;
	__u8 pp_recycle: 1;
	__u8 active_extensions;
	__u8 pkt_type: 3;
	__u8 ignore_df: 1;
	__u8 dst_pending_confirm: 1;
	__u8 ip_summed: 2;
	__u8 ooo_okay: 1;
	__u16 tc_index;
	u16 alloc_cpu;
	__wsum csum;
	__u32 priority;
	int skb_iif;
	__u32 hash;
	__u32 mark;
	__be16 protocol;
	__u16 transport_header;
	__u16 network_header;
	__u16 mac_header;
	unsigned int tail;
	unsigned int end;
	unsigned char *head;
	unsigned char *data;
	unsigned int truesize;
	refcount_t users;
};

struct sk_buff_head {
	struct sk_buff *next;
	struct sk_buff *prev;
	__u32 qlen;
	spinlock_t lock;
};

/* the uapi context of socket-filter and tc programs (include/uapi/linux/bpf.h) */
struct __sk_buff {
	__u32 len;
	__u32 pkt_type;
	__u32 mark;
	__u32 queue_mapping;
	__u32 protocol;
	__u32 vlan_present;
	__u32 vlan_tci;
	__u32 vlan_proto;
	__u32 priority;
	__u32 ingress_ifindex;
	__u32 ifindex;
	__u32 tc_index;
	__u32 cb[5];
	__u32 hash;
	__u32 tc_classid;
	__u32 data;
	__u32 data_end;
};

struct bpf_dynptr {
	__u64 __opaque[2];
} __attribute__((aligned(8)));

/* ---------------------------------------------------------------- qdisc */

struct qdisc_skb_head {
	struct sk_buff *head;
	struct sk_buff *tail;
	__u32 qlen;
	spinlock_t lock;
};

struct gnet_stats_queue {
	__u32 qlen;
	__u32 backlog;
	__u32 drops;
	__u32 requeues;
	__u32 overlimits;
};

struct gnet_stats_basic_sync {
	u64 bytes;
	u64 packets;
};

struct qdisc_skb_cb {
	struct {
		unsigned int pkt_len;
		u16 slave_dev_queue_mapping;
		u16 tc_classid;
	};
	unsigned char data[20];
};

/* net/sched/bpf_qdisc.c: what the enqueue argument to_free (struct sk_buff **) is exposed as */
struct bpf_sk_buff_ptr {
	struct sk_buff *skb;
};

struct Qdisc;

struct Qdisc_ops {
	struct Qdisc_ops *next;
	const struct Qdisc_class_ops *cl_ops;
	char id[16];
	int priv_size;
	unsigned int static_flags;
	int (*enqueue)(struct sk_buff *, struct Qdisc *, struct sk_buff **);
	struct sk_buff * (*dequeue)(struct Qdisc *);
	struct sk_buff * (*peek)(struct Qdisc *);
	int (*init)(struct Qdisc *, struct nlattr *, struct netlink_ext_ack *);
	void (*reset)(struct Qdisc *);
	void (*destroy)(struct Qdisc *);
	int (*change)(struct Qdisc *, struct nlattr *, struct netlink_ext_ack *);
	void (*attach)(struct Qdisc *);
	int (*change_tx_queue_len)(struct Qdisc *, unsigned int);
	void (*change_real_num_tx)(struct Qdisc *, unsigned int);
	int (*dump)(struct Qdisc *, struct sk_buff *);
	int (*dump_stats)(struct Qdisc *, struct gnet_dump *);
	void (*ingress_block_set)(struct Qdisc *, u32);
	void (*egress_block_set)(struct Qdisc *, u32);
	u32 (*ingress_block_get)(struct Qdisc *);
	u32 (*egress_block_get)(struct Qdisc *);
	struct module *owner;
};

struct Qdisc {
	int (*enqueue)(struct sk_buff *, struct Qdisc *, struct sk_buff **);
	struct sk_buff * (*dequeue)(struct Qdisc *);
	unsigned int flags;
	u32 limit;
	const struct Qdisc_ops *ops;
	struct qdisc_size_table *stab;
	struct hlist_node hash;
	u32 handle;
	u32 parent;
	struct netdev_queue *dev_queue;
	struct net_rate_estimator *rate_est;
	struct gnet_stats_basic_sync *cpu_bstats;
	struct gnet_stats_queue *cpu_qstats;
	int pad;
	refcount_t refcnt;
	struct sk_buff_head gso_skb;
	struct qdisc_skb_head q;
	struct gnet_stats_basic_sync bstats;
	struct gnet_stats_queue qstats;
	int owner;
	long unsigned int state;
	long unsigned int state2;
	struct Qdisc *next_sched;
	struct sk_buff_head skb_bad_txq;
	spinlock_t busylock;
	spinlock_t seqlock;
	struct callback_head rcu;
	long int privdata[0];
};

/* ---------------------------------------------------------------- sockets and TCP */

enum tcp_ca_event {
	CA_EVENT_TX_START = 0,
	CA_EVENT_CWND_RESTART = 1,
	CA_EVENT_COMPLETE_CWR = 2,
	CA_EVENT_LOSS = 3,
	CA_EVENT_ECN_NO_CE = 4,
	CA_EVENT_ECN_IS_CE = 5,
};

struct ack_sample {
	u32 pkts_acked;
	s32 rtt_us;
	u32 in_flight;
};

struct rate_sample {
	u64 prior_mstamp;
	u32 prior_delivered;
	u32 prior_delivered_ce;
	s32 delivered;
	s32 delivered_ce;
	long int interval_us;
	u32 snd_interval_us;
	u32 rcv_interval_us;
	long int rtt_us;
	int losses;
	u32 acked_sacked;
	u32 prior_in_flight;
	u32 last_end_seq;
	bool is_app_limited;
	bool is_retrans;
	bool is_ack_delayed;
};

struct tcp_congestion_ops {
	u32 (*ssthresh)(struct sock *);
	void (*cong_avoid)(struct sock *, u32, u32);
	void (*set_state)(struct sock *, u8);
	void (*cwnd_event)(struct sock *, enum tcp_ca_event);
	void (*in_ack_event)(struct sock *, u32);
	void (*pkts_acked)(struct sock *, const struct ack_sample *);
	u32 (*min_tso_segs)(struct sock *);
	void (*cong_control)(struct sock *, u32, int, const struct rate_sample *);
	u32 (*undo_cwnd)(struct sock *);
	u32 (*sndbuf_expand)(struct sock *);
	size_t (*get_info)(struct sock *, u32, int *, union tcp_cc_info *);
	char name[16];
	struct module *owner;
	struct list_head list;
	u32 key;
	u32 flags;
	void (*init)(struct sock *);
	void (*release)(struct sock *);
} __attribute__((aligned(64)));

/* generated by tcpcc-bundle/src/test/live/gen_builtin_sock.py from the BTF of 6.18.44-fc-v1045:
 * the byte layout of the live kernel's socket structs; unnamed __padN/__bitsN members stand
 * for members the built-in base does not declare. */
struct sock_common {
	u8 __pad0[16];
	u16 skc_family;
	u8 skc_state;
	u8 skc_reuse: 4;
	u8 skc_reuseport: 1;
	u8 skc_ipv6only: 1;
	u8 skc_net_refcnt: 1;
	s32 skc_bound_dev_if;
	u8 __pad1[16];
	struct proto *skc_prot;
	struct {
		struct net *net;
	} skc_net;
	u8 __pad2[32];
	struct {
		s64 counter;
	} skc_cookie;
	u8 __pad3[24];
	u16 skc_tx_queue_mapping;
	u16 skc_rx_queue_mapping;
	u8 __pad4[12];
};

struct sock {
	struct sock_common __sk_common;
	struct {
		s32 counter;
	} sk_drops;
	s32 sk_peek_off;
	u8 __pad0[48];
	struct {
		struct {
			s32 counter;
		} rmem_alloc;
		s32 len;
		struct sk_buff *head;
		struct sk_buff *tail;
	} sk_backlog;
	struct dst_entry *sk_rx_dst;
	s32 sk_rx_dst_ifindex;
	u32 sk_rx_dst_cookie;
	u32 sk_ll_usec;
	u32 sk_napi_id;
	u16 sk_busy_poll_budget;
	u8 sk_prefer_busy_poll;
	u8 sk_userlocks;
	s32 sk_rcvbuf;
	struct sk_filter *sk_filter;
	u8 __pad1[8];
	void *sk_data_ready;
	s64 sk_rcvtimeo;
	s32 sk_rcvlowat;
	s32 sk_err;
	struct socket *sk_socket;
	struct mem_cgroup *sk_memcg;
	u8 __pad2[16];
	struct {
		u8 __pad0[4];
		s32 owned;
		u8 __pad1[24];
	} sk_lock;
	u32 sk_reserved_mem;
	s32 sk_forward_alloc;
	u32 sk_tsflags;
	s32 sk_write_pending;
	struct {
		s32 counter;
	} sk_omem_alloc;
	s32 sk_err_soft;
	s32 sk_wmem_queued;
	u8 __pad3[4];
	u64 sk_tsq_flags;
	u8 __pad4[32];
	u32 sk_dst_pending_confirm;
	u32 sk_pacing_status;
	u8 __pad5[56];
	u64 sk_pacing_rate;
	struct {
		s32 counter;
	} sk_zckey;
	struct {
		s32 counter;
	} sk_tskey;
	u64 sk_max_pacing_rate;
	s64 sk_sndtimeo;
	u32 sk_priority;
	u32 sk_mark;
	struct {
		u32 val;
	} sk_uid;
	u16 sk_protocol;
	u16 sk_type;
	struct dst_entry *sk_dst_cache;
	u64 sk_route_caps;
	u16 sk_gso_type;
	u16 sk_gso_max_segs;
	u32 sk_gso_max_size;
	u32 sk_allocation;
	u32 sk_txhash;
	s32 sk_sndbuf;
	u8 sk_pacing_shift;
	u8 sk_use_task_frag;
	u8 __pad6[1];
	u8 sk_shutdown;
	u64 sk_lingertime;
	struct proto *sk_prot_creator;
	struct {
		u8 __pad0[8];
	} sk_callback_lock;
	u32 sk_ack_backlog;
	u32 sk_max_ack_backlog;
	u64 sk_ino;
	u8 __pad7[4];
	s32 sk_bind_phc;
	struct pid *sk_peer_pid;
	struct cred *sk_peer_cred;
	s64 sk_stamp;
	s32 sk_disconnects;
	u8 __pad8[1];
	u8 sk_clockid;
	u8 __pad9[1];
	u8 sk_bpf_cb_flags;
	void *sk_user_data;
	void *sk_security;
	u8 __pad10[16];
	void *sk_state_change;
	void *sk_write_space;
	void *sk_error_report;
	void *sk_backlog_rcv;
	void *sk_destruct;
	struct sock_reuseport *sk_reuseport_cb;
	struct bpf_local_storage *sk_bpf_storage;
	struct numa_drop_counters *sk_drop_counters;
	u8 __pad11[16];
	struct {
	} ns_tracker;
	u8 __pad12[16];
};

struct inet_sock {
	struct sock sk;
	struct ipv6_pinfo *pinet6;
	struct ipv6_fl_socklist *ipv6_fl_list;
	u64 inet_flags;
	u32 inet_saddr;
	s16 uc_ttl;
	u16 inet_sport;
	struct ip_options_rcu *inet_opt;
	struct {
		s32 counter;
	} inet_id;
	u8 tos;
	u8 min_ttl;
	u8 mc_ttl;
	u8 pmtudisc;
	u8 rcv_tos;
	u8 convert_csum;
	u8 __pad0[2];
	s32 uc_index;
	s32 mc_index;
	u32 mc_addr;
	u32 local_port_range;
	u8 __pad1[4];
	struct ip_mc_socklist *mc_list;
	u8 __pad2[152];
};

struct inet_connection_sock {
	struct inet_sock icsk_inet;
	u8 __pad0[72];
	struct inet_bind_bucket *icsk_bind_hash;
	struct inet_bind2_bucket *icsk_bind2_hash;
	u8 __pad1[80];
	u32 icsk_rto;
	u32 icsk_rto_min;
	u32 icsk_rto_max;
	u32 icsk_delack_max;
	u32 icsk_pmtu_cookie;
	u8 unhashed_state;
	u8 __pad2[3];
	struct tcp_congestion_ops *icsk_ca_ops;
	struct inet_connection_sock_af_ops *icsk_af_ops;
	struct tcp_ulp_ops *icsk_ulp_ops;
	void *icsk_ulp_data;
	void *icsk_sync_mss;
	u8 icsk_ca_state: 5;
	u8 icsk_ca_initialized: 1;
	u8 icsk_ca_setsockopt: 1;
	u8 icsk_ca_dst_locked: 1;
	u8 icsk_retransmits;
	u8 icsk_pending;
	u8 icsk_backoff;
	u8 icsk_syn_retries;
	u8 icsk_probes_out;
	u16 icsk_ext_hdr_len;
	struct {
		u8 pending;
		u8 quick;
		u8 pingpong;
		u8 retry;
		u8 __pad0[4];
		u32 lrcvtime;
		u16 last_seg_size;
		u16 rcv_mss;
	} icsk_ack;
	struct {
		s32 search_high;
		s32 search_low;
		u8 __pad0[4];
		u32 probe_timestamp;
	} icsk_mtup;
	u32 icsk_probes_tstamp;
	u32 icsk_user_timeout;
	u64 icsk_ca_priv[13];
};

struct tcp_sock {
	struct inet_connection_sock inet_conn;
	u32 max_window;
	u32 rcv_ssthresh;
	u32 reordering;
	u32 notsent_lowat;
	u16 gso_segs;
	u8 __pad0[6];
	struct sk_buff *retransmit_skb_hint;
	u32 tsoffset;
	u32 snd_wnd;
	u32 mss_cache;
	u32 snd_cwnd;
	u32 prr_out;
	u32 lost_out;
	u32 sacked_out;
	u16 tcp_header_len;
	u8 scaling_ratio;
	u8 __bits1463_0: 3;
	u8 is_cwnd_limited: 1;
	u32 copied_seq;
	u32 snd_wl1;
	u32 tlp_high_seq;
	u32 rttvar_us;
	u32 retrans_out;
	u16 advmss;
	u16 urg_data;
	u32 lost;
	u32 snd_ssthresh;
	u8 __pad1[40];
	u32 segs_out;
	u32 data_segs_out;
	u64 bytes_sent;
	u32 snd_sml;
	u8 chrono_type;
	u8 __pad2[3];
	u32 chrono_start;
	u32 chrono_stat[3];
	u32 write_seq;
	u32 pushed_seq;
	u32 lsndtime;
	u32 mdev_us;
	u32 rtt_seq;
	u8 __pad3[4];
	u64 tcp_wstamp_ns;
	u64 accecn_opt_tstamp;
	u8 __pad4[16];
	struct sk_buff *highest_sack;
	u8 ecn_flags;
	u8 __pad5[3];
	u32 pred_flags;
	u64 tcp_clock_cache;
	u64 tcp_mstamp;
	u32 rcv_nxt;
	u32 snd_nxt;
	u32 snd_una;
	u32 window_clamp;
	u32 srtt_us;
	u32 packets_out;
	u32 snd_up;
	u32 delivered;
	u32 delivered_ce;
	u32 received_ce;
	u32 received_ecn_bytes[3];
	u32 app_limited;
	u32 rcv_wnd;
	u32 rcv_tstamp;
	u8 __pad6[24];
	u64 bytes_received;
	u32 segs_in;
	u32 data_segs_in;
	u32 rcv_wup;
	u32 max_packets_out;
	u32 cwnd_usage_seq;
	u32 rate_delivered;
	u32 rate_interval_us;
	u32 rcv_rtt_last_tsecr;
	u32 delivered_ecn_bytes[3];
	u8 __pad7[4];
	u64 first_tx_mstamp;
	u64 delivered_mstamp;
	u64 bytes_acked;
	struct {
		u32 rtt_us;
		u32 seq;
		u64 time;
	} rcv_rtt_est;
	struct {
		s32 space;
		u32 seq;
		u64 time;
	} rcvq_space;
	u32 dsack_dups;
	u32 compressed_ack_rcv_nxt;
	u8 __pad8[40];
	u8 compressed_ack;
	u8 __pad9[2];
	u8 repair_queue;
	u8 __pad10[1];
	u8 keepalive_probes;
	u8 __pad11[2];
	u32 tcp_tx_delay;
	u32 mdev_max_us;
	u32 reord_seen;
	u32 snd_cwnd_cnt;
	u32 snd_cwnd_clamp;
	u32 snd_cwnd_used;
	u32 snd_cwnd_stamp;
	u32 prior_cwnd;
	u32 prr_delivered;
	u32 last_oow_ack_time;
	u8 __pad12[128];
	struct sk_buff *ooo_last_skb;
	u8 __pad13[72];
	u32 prior_ssthresh;
	u32 high_seq;
	u32 retrans_stamp;
	u32 undo_marker;
	s32 undo_retrans;
	u32 mtu_info;
	u64 bytes_retrans;
	u32 total_retrans;
	u32 rto_stamp;
	u16 total_rto;
	u16 total_rto_recoveries;
	u32 total_rto_time;
	u32 urg_seq;
	u32 keepalive_time;
	u32 keepalive_intvl;
	s32 linger2;
	u8 bpf_sock_ops_cb_flags;
	u8 __pad14[1];
	u16 timeout_rehash;
	u32 rcv_ooopack;
	struct {
		u32 probe_seq_start;
		u32 probe_seq_end;
	} mtu_probe;
	u32 plb_rehash;
	u8 is_mptcp;
	u8 __pad15[3];
	struct tcp_sock_af_ops *af_specific;
	struct tcp_md5sig_info *md5sig_info;
	struct tcp_fastopen_request *fastopen_req;
	struct request_sock *fastopen_rsk;
	struct saved_syn *saved_syn;
	u8 __pad16[8];
};

/* ---------------------------------------------------------------- struct_ops (kernel/bpf/bpf_struct_ops.c) */

enum bpf_struct_ops_state {
	BPF_STRUCT_OPS_STATE_INIT = 0,
	BPF_STRUCT_OPS_STATE_INUSE = 1,
	BPF_STRUCT_OPS_STATE_TOBEFREE = 2,
	BPF_STRUCT_OPS_STATE_READY = 3,
};

/* every struct_ops value type bpf_struct_ops_<name> starts with this */
struct bpf_struct_ops_common_value {
	refcount_t refcnt;
	enum bpf_struct_ops_state state;
};

/* ---------------------------------------------------------------- cgroups */

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys *ss;
	refcount_t refcnt;
	struct list_head sibling;
	struct list_head children;
	int id;
	unsigned int flags;
	u64 serial_nr;
	struct cgroup_subsys_state *parent;
};

struct cgroup {
	struct cgroup_subsys_state self;
	long unsigned int flags;
	int level;
	int max_depth;
	u64 kn_id;
	struct cgroup *ancestors[0];
};

/* kernel/bpf/helpers.c: generic kfuncs */
__bpf_kfunc struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp);
__bpf_kfunc void bpf_cgroup_release(struct cgroup *cgrp);
__bpf_kfunc struct cgroup *bpf_cgroup_from_id(u64 cgid);

BTF_KFUNCS_START(generic_btf_ids)
BTF_ID_FLAGS(func, bpf_cgroup_acquire, KF_ACQUIRE | KF_RCU | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_cgroup_release, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_cgroup_from_id, KF_ACQUIRE | KF_RET_NULL)
BTF_KFUNCS_END(generic_btf_ids)

/* ---------------------------------------------------------------- maps (include/linux/bpf.h, v6.12) */

/*
 * struct bpf_map as v6.12 lays it out on x86-64 (CONFIG_SECURITY, CONFIG_MEMCG,
 * CONFIG_MUTEX_SPIN_ON_OWNER, no lock debugging): 248 bytes, so offsetof(struct bpf_array, value)
 * is 264, the constant array_map_gen_lookup() adds to the map pointer. check_ptr_to_map_access()
 * reads these fields through a map_ptr; the model's maps fill in the ones it knows
 * (org.bpfosgi.structops.BpfMapLayout). bpf_map_ops and bpf_htab are trimmed.
 */
typedef atomic64_t atomic_long_t;
typedef struct raw_spinlock raw_spinlock_t;

struct optimistic_spin_queue {
	atomic_t tail;
};

struct mutex {
	atomic_long_t owner;
	raw_spinlock_t wait_lock;
	struct optimistic_spin_queue osq;
	struct list_head wait_list;
};

struct work_struct;
typedef void (*work_func_t)(struct work_struct *);

struct work_struct {
	atomic_long_t data;
	struct list_head entry;
	work_func_t func;
};

enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PROG_ARRAY = 3,
	BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_STACK_TRACE = 7,
	BPF_MAP_TYPE_CGROUP_ARRAY = 8,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
	BPF_MAP_TYPE_LPM_TRIE = 11,
	BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	BPF_MAP_TYPE_HASH_OF_MAPS = 13,
	BPF_MAP_TYPE_DEVMAP = 14,
	BPF_MAP_TYPE_SOCKMAP = 15,
	BPF_MAP_TYPE_CPUMAP = 16,
	BPF_MAP_TYPE_XSKMAP = 17,
	BPF_MAP_TYPE_SOCKHASH = 18,
	BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED = 19,
	BPF_MAP_TYPE_CGROUP_STORAGE = 19,
	BPF_MAP_TYPE_REUSEPORT_SOCKARRAY = 20,
	BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE_DEPRECATED = 21,
	BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE = 21,
	BPF_MAP_TYPE_QUEUE = 22,
	BPF_MAP_TYPE_STACK = 23,
	BPF_MAP_TYPE_SK_STORAGE = 24,
	BPF_MAP_TYPE_DEVMAP_HASH = 25,
	BPF_MAP_TYPE_STRUCT_OPS = 26,
	BPF_MAP_TYPE_RINGBUF = 27,
	BPF_MAP_TYPE_INODE_STORAGE = 28,
	BPF_MAP_TYPE_TASK_STORAGE = 29,
	BPF_MAP_TYPE_BLOOM_FILTER = 30,
	BPF_MAP_TYPE_USER_RINGBUF = 31,
	BPF_MAP_TYPE_CGRP_STORAGE = 32,
	BPF_MAP_TYPE_ARENA = 33,
	__MAX_BPF_MAP_TYPE = 34,
};

enum bpf_prog_type {
	BPF_PROG_TYPE_UNSPEC = 0,
	BPF_PROG_TYPE_SOCKET_FILTER = 1,
	BPF_PROG_TYPE_KPROBE = 2,
	BPF_PROG_TYPE_SCHED_CLS = 3,
	BPF_PROG_TYPE_SCHED_ACT = 4,
	BPF_PROG_TYPE_TRACEPOINT = 5,
	BPF_PROG_TYPE_XDP = 6,
	BPF_PROG_TYPE_PERF_EVENT = 7,
	BPF_PROG_TYPE_CGROUP_SKB = 8,
	BPF_PROG_TYPE_CGROUP_SOCK = 9,
	BPF_PROG_TYPE_LWT_IN = 10,
	BPF_PROG_TYPE_LWT_OUT = 11,
	BPF_PROG_TYPE_LWT_XMIT = 12,
	BPF_PROG_TYPE_SOCK_OPS = 13,
	BPF_PROG_TYPE_SK_SKB = 14,
	BPF_PROG_TYPE_CGROUP_DEVICE = 15,
	BPF_PROG_TYPE_SK_MSG = 16,
	BPF_PROG_TYPE_RAW_TRACEPOINT = 17,
	BPF_PROG_TYPE_CGROUP_SOCK_ADDR = 18,
	BPF_PROG_TYPE_LWT_SEG6LOCAL = 19,
	BPF_PROG_TYPE_LIRC_MODE2 = 20,
	BPF_PROG_TYPE_SK_REUSEPORT = 21,
	BPF_PROG_TYPE_FLOW_DISSECTOR = 22,
	BPF_PROG_TYPE_CGROUP_SYSCTL = 23,
	BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE = 24,
	BPF_PROG_TYPE_CGROUP_SOCKOPT = 25,
	BPF_PROG_TYPE_TRACING = 26,
	BPF_PROG_TYPE_STRUCT_OPS = 27,
	BPF_PROG_TYPE_EXT = 28,
	BPF_PROG_TYPE_LSM = 29,
	BPF_PROG_TYPE_SK_LOOKUP = 30,
	BPF_PROG_TYPE_SYSCALL = 31,
	BPF_PROG_TYPE_NETFILTER = 32,
	__MAX_BPF_PROG_TYPE = 33,
};

struct bpf_map;
struct btf;
struct btf_type;
struct btf_record;
struct obj_cgroup;
struct bpf_array_aux;
struct bpf_insn;

struct bpf_map_ops {
	void *(*map_lookup_elem)(struct bpf_map *map, void *key);
	long (*map_update_elem)(struct bpf_map *map, void *key, void *value, u64 flags);
	long (*map_delete_elem)(struct bpf_map *map, void *key);
	int (*map_gen_lookup)(struct bpf_map *map, struct bpf_insn *insn_buf);
	int *map_btf_id;
};

struct bpf_map {
	const struct bpf_map_ops *ops;
	struct bpf_map *inner_map_meta;
	void *security;
	enum bpf_map_type map_type;
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u64 map_extra;
	u32 map_flags;
	u32 id;
	struct btf_record *record;
	int numa_node;
	u32 btf_key_type_id;
	u32 btf_value_type_id;
	u32 btf_vmlinux_value_type_id;
	struct btf *btf;
	struct obj_cgroup *objcg;
	char name[16];
	struct mutex freeze_mutex;
	atomic64_t refcnt;
	atomic64_t usercnt;
	union {
		struct work_struct work;
		struct callback_head rcu;
	};
	atomic64_t writecnt;
	struct {
		const struct btf_type *attach_func_proto;
		spinlock_t lock;
		enum bpf_prog_type type;
		bool jited;
		bool xdp_has_frags;
	} owner;
	bool bypass_spec_v1;
	bool frozen;
	bool free_after_mult_rcu_gp;
	bool free_after_rcu_gp;
	atomic64_t sleepable_refcnt;
	s64 *elem_count;
};

/* kernel/bpf/arraymap.c: BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PROG_ARRAY (map_btf_id) */
struct bpf_array {
	struct bpf_map map;
	u32 elem_size;
	u32 index_mask;
	struct bpf_array_aux *aux;
	union {
		char value[0] __attribute__((aligned(8)));
		void *ptrs[0] __attribute__((aligned(8)));
		void *pptrs[0] __attribute__((aligned(8)));
	};
};

/* kernel/bpf/hashtab.c */
struct hlist_nulls_node {
	struct hlist_nulls_node *next;
	struct hlist_nulls_node **pprev;
};

struct pcpu_freelist_node {
	struct pcpu_freelist_node *next;
};

struct bpf_lru_node {
	struct list_head list;
	u16 cpu;
	u8 type;
	u8 ref;
};

struct htab_elem {
	union {
		struct hlist_nulls_node hash_node;
		struct {
			void *padding;
			union {
				struct pcpu_freelist_node fnode;
				struct htab_elem *batch_flink;
			};
		};
	};
	union {
		void *ptr_to_pptr;
		struct bpf_lru_node lru_node;
	};
	u32 hash;
	char key[0] __attribute__((aligned(8)));
};

struct bucket;

/* trimmed: the memory allocators, free lists and LRU are left out */
struct bpf_htab {
	struct bpf_map map;
	struct bucket *buckets;
	void *elems;
	struct htab_elem **extra_elems;
	atomic_t count;
	bool use_percpu_counter;
	u32 n_buckets;
	u32 elem_size;
	u32 hashrnd;
};
