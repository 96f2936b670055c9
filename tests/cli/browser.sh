#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The HTML pages in a real browser: Debian's chromium, headless (CI
# installs it; without it every case is skipped, said so).  The report's
# page as chromium parses it holds every table and section the file
# holds, no NaN or "undefined"; the fit's page holds every free
# parameter's estimate, SE, interval and std.all of `fit --format json`,
# as shown (three decimals); the charts (agreement, paths, forest plot);
# no page logs a console message; a screenshot
# and a PDF are made (in the scratch folder, never kept).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
BRISK_SURVEYS="$top_srcdir/surveys"
export BRISK_SURVEYS
echo "1..4"

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
# every run alone, bounded in time; no sandbox (CI runs as root), no GPU,
# no /dev/shm (small in containers)
render() {
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --enable-logging=stderr --v=0 "$@" 2>>"$tmp/browser.err"
}
why=
if [ -z "$browser" ]; then
    why="no chromium (Debian: apt-get install chromium)"
else
    printf '<!DOCTYPE html>\n<html><body><p id="x">ok</p></body></html>\n' >"$tmp/smoke.html"
    render --dump-dom "file://$tmp/smoke.html" >"$tmp/smoke.dom" &&
        grep -q '<p id="x">ok</p>' "$tmp/smoke.dom" || why="chromium does not start here"
fi
if [ -n "$why" ]; then
    for name in "the report's page as parsed" "the fit's numbers on its page" \
        "no console messages" "a screenshot and a PDF"; do
        skip "$name" "$why"
    done
    exit 0
fi

t_report_dom() {
    run 0 report rongcheng -q --bootstrap 0 -o "$tmp/r.html" &&
    render --dump-dom "file://$tmp/r.html" >"$tmp/r.dom" &&
    [ "$(grep -o '<table' "$tmp/r.dom" | wc -l)" -eq "$(grep -o '<table' "$tmp/r.html" | wc -l)" ] &&
    [ "$(grep -o '<table' "$tmp/r.dom" | wc -l)" -ge 20 ] &&
    [ "$(grep -o '<section' "$tmp/r.dom" | wc -l)" -eq "$(grep -o '<section' "$tmp/r.html" | wc -l)" ] &&
    [ "$(grep -o '<svg' "$tmp/r.dom" | wc -l)" -eq 3 ] &&
    for title in Overview Items Demographics Agreement Measurement Reliability Structural Fit; do
        grep -q "<h2[^>]*>$title</h2>" "$tmp/r.dom" || { echo "no section $title" >&2; return 1; }
    done &&
    ! grep -qiw 'nan\|undefined\|inf' "$tmp/r.dom"
}

# Every free parameter's numbers of the fit's JSON (est, se, ci_lower,
# ci_upper, std_all) among the cells of its page, as it shows them.
t_fit_numbers() {
    run 0 fit rongcheng -q -f json -o "$tmp/f.json" &&
    run 0 fit rongcheng -q -o "$tmp/f.html" &&
    render --dump-dom "file://$tmp/f.html" >"$tmp/f.dom" &&
    grep -o '<td[^>]*>[^<]*</td>' "$tmp/f.dom" | sed 's/<td[^>]*>//; s/<\/td>//' | sort -u >"$tmp/cells" &&
    awk -F'"(est|se|ci_lower|ci_upper|std_all)": ' '
        FILENAME == ARGV[1] { cell[$0] = 1; next }
        /"free": true/ {
            for (i = 2; i <= NF; i++) {
                split($i, v, ","); s = sprintf("%.3f", v[1] + 0)
                if (s == "-0.000") s = "0.000"
                checked++
                if (!(s in cell) && !(("-" s) in cell)) { print "not on the page: " s " (" $0 ")"; bad++ }
            }
        }
        END { if (checked < 400) { print "only " checked " numbers"; bad++ } exit bad > 0 }
    ' "$tmp/cells" "$tmp/f.json" >&2
}

t_no_console() {
    : >"$tmp/browser.err" &&
    render --dump-dom "file://$tmp/r.html" >/dev/null &&
    render --dump-dom "file://$tmp/f.html" >/dev/null &&
    ! grep -i 'CONSOLE\|Uncaught' "$tmp/browser.err" >&2
}

t_screenshot_pdf() {
    render --screenshot="$tmp/r.png" --window-size=1280,2400 "file://$tmp/r.html" >/dev/null &&
    [ "$(head -c 4 "$tmp/r.png" | od -An -c | tr -d ' \n')" = '211PNG' ] &&
    render --no-pdf-header-footer --print-to-pdf="$tmp/r.pdf" "file://$tmp/r.html" >/dev/null &&
    [ "$(head -c 5 "$tmp/r.pdf")" = '%PDF-' ] &&
    if command -v pdfinfo >/dev/null; then
        pages=$(pdfinfo "$tmp/r.pdf" | awk '/^Pages:/ { print $2 }') && [ "$pages" -ge 10 ]
    fi
}

ok "the report's page as chromium parses it: every table, section and chart, no NaN" t_report_dom
ok "the fit's page shows every free parameter's estimate, SE, interval and std.all of its JSON" t_fit_numbers
ok "no page logs a console message" t_no_console
ok "a screenshot and a PDF of the report's page" t_screenshot_pdf
exit $((failed > 0))
