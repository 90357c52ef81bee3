#!/usr/bin/env bash
# Turns the RESULT lines of bench/fanout.sh (a file, or stdin) into one markdown table per mode:
# every run, then the mean per server and the ratio ours/Node of the means.
#
#   bench/tables.sh results.txt
set -euo pipefail

fields_of() {
  case $1 in
    closed) echo "deliveries_per_s server_cpu_us_per_delivery p50_ms p99_ms max_ms server_cpu_pct generator_cpu_pct closed" ;;
    open) echo "sent_per_s deliveries_per_s p50_ms p99_ms max_ms server_cpu_us_per_delivery server_cpu_pct generator_cpu_pct closed" ;;
    idle) echo "conns connected pending kib_per_conn rss_before_kib rss_after_kib connect_s drained drain_s notices failed" ;;
    storm | overlimit) echo "attempts connected pending connect_s drained drain_s deliveries rss_kib server_cpu_s generator_cpu_s exit_after_term_s got_1001 failed closed_before_term still_open" ;;
  esac
}

input=$(cat "${1:-/dev/stdin}")
for mode in closed open idle storm overlimit; do
  lines=$(grep "^RESULT mode=$mode " <<<"$input" || true)
  [ -n "$lines" ] || continue
  echo "### $mode"
  echo
  awk -v fields="$(fields_of "$mode")" '
    BEGIN { n = split(fields, f, " ") }
    {
      delete kv
      for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2) }
      s = kv["server"]; row = "| " kv["rep"] " | " s
      for (i = 1; i <= n; i++) {
        v = (f[i] in kv) ? kv[f[i]] : "-"
        row = row " | " v
        if (v ~ /^[0-9.]+$/) { sum[s, i] += v; cnt[s, i]++ }
      }
      rows[++r] = row " |"
      if (!(s in seen)) { seen[s] = 1; servers[++ns] = s }
    }
    END {
      head = "| rep | server"; sep = "|---|---"
      for (i = 1; i <= n; i++) { head = head " | " f[i]; sep = sep "|---" }
      print head " |"; print sep "|"
      for (j = 1; j <= r; j++) print rows[j]
      for (k = 1; k <= ns; k++) {
        s = servers[k]; row = "| mean | " s
        for (i = 1; i <= n; i++) {
          if (cnt[s, i] > 0) { m[s, i] = sum[s, i] / cnt[s, i]; row = row " | " sprintf(m[s, i] >= 1000 ? "%.0f" : "%.4g", m[s, i]) }
          else row = row " | "
        }
        print row " |"
      }
      if (("ours" in seen) && ("node" in seen)) {
        row = "| ratio | ours/node"
        for (i = 1; i <= n; i++) {
          if (cnt["ours", i] > 0 && cnt["node", i] > 0 && m["node", i] != 0)
            row = row " | " sprintf("%.3g", m["ours", i] / m["node", i])
          else row = row " | "
        }
        print row " |"
      }
    }' <<<"$lines"
  echo
done
