# prog: sk_skb
# expect: reject
# reason: program of this type cannot use helper bpf_redirect#23
# part: helpers
#
# bpf_redirect is for tc and XDP: sk_skb programs redirect through a
# sockmap (bpf_sk_redirect_map), and sk_skb_func_proto has no bpf_redirect.
r1 = 1
r2 = 0
call 23
r0 = 0
exit
