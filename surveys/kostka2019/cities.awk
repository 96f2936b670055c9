# SPDX-License-Identifier: GPL-3.0-or-later
# The synthetic kostka2019 data's city (README.md): 12 cities per region,
# numbered region * 100 + 1 .. 12, each respondent's drawn from their id
# (id * 37 mod 12), so the cities are random within regions: clustering
# the standard errors by them changes the SEs by chance only.
BEGIN { FS = OFS = "," }
NR == 1 {
    for (i = 1; i <= NF; i++) {
        if ($i == "region") region = i
        if ($i == "id") id = i
    }
    print $0, "city"
    next
}
{ print $0, $region * 100 + ($id * 37) % 12 + 1 }
