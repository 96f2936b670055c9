# SPDX-License-Identifier: GPL-3.0-or-later
# The synthetic Rongcheng data's 'urban' column (README.md): 1 for a
# resident of the city's urban districts, 0 for its villages.  Drawn from
# the respondent's id by a fixed hash (the same under every awk), more
# often urban the more educated: P(urban) = 0.30 + 0.10 * (education - 1)
# (0.45 when education is missing), so that it adds a plausible, weak
# demographic to regressions without touching the other columns.
BEGIN { FS = OFS = "," }
NR == 1 {
    for (i = 1; i <= NF; i++) {
        if ($i == "id") id = i
        if ($i == "education") edu = i
    }
    print $0, "urban"
    next
}
{
    u = (($id * 7919 + 104729) % 1000) / 1000
    p = ($edu >= 1 && $edu <= 4) ? 0.30 + 0.10 * ($edu - 1) : 0.45
    print $0, (u < p ? 1 : 0)
}
