# prog: sk_skb
# expect: reject
# reason: program of this type cannot use helper bpf_l3_csum_replace#10
# part: helpers
#
# sk_skb may store bytes into the stream's packet but has none of tc's
# checksum helpers.
r2 = 0
r3 = 0
r4 = 0
r5 = 2
call 10
r0 = 0
exit
