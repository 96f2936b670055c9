#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check a brisk report workbook against `brisk fit --format json` output.

    check_workbook.py REPORT.xlsx FIT.json [COMPARE.json [RELIABILITY.json]]

Every structural path, defined effect and fit measure of every behaviour in
the JSON must appear as a number in the Structural and Fit sheets; with
the output of `brisk compare --format json` (the report's draws and seed,
--adjust holm), every number of its tables in the Comparison and Indirect
effects sheets; with that of `brisk reliability --format json`, every
number of its tables in the Reliability sheet; no sheet may hold NaN or infinity; the Agreement and
Structural charts must exist.
Exit 0 when all holds, 1 with a message otherwise.  Standard library only.
"""
import json
import re
import sys
import zipfile

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def sheet_numbers(book, names, name):
    index = names.index(name) + 1
    xml = book.read(f"xl/worksheets/sheet{index}.xml").decode()
    return [float(v) for v in re.findall(r"<v>([^<]*)</v>", xml)
            if re.fullmatch(r"-?[0-9.]+(E[-+]?[0-9]+)?", v, re.I)]


def present(value, numbers):
    return any(abs(value - x) <= 1e-12 * max(1.0, abs(value)) for x in numbers)


def main(xlsx, fit_json, compare_json=None, reliability_json=None):
    book = zipfile.ZipFile(xlsx)
    workbook = book.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet name="([^"]*)"', workbook)
    for required in ("Overview", "Items", "Agreement", "Measurement", "Reliability",
                     "Structural", "Fit", "Modification indices"):
        if required not in names:
            return f"no sheet {required!r} (sheets: {names})"
    for part in book.namelist():
        if part.startswith("xl/worksheets/"):
            text = book.read(part).decode()
            if re.search(r"<v>(nan|-?inf)", text, re.I):
                return f"{part} holds NaN or infinity"
    charts = [p for p in book.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", p)]
    if len(charts) < 2:
        return f"expected the Agreement and Structural charts, found {charts}"
    structural = sheet_numbers(book, names, "Structural")
    fit_sheet = sheet_numbers(book, names, "Fit")
    checked = 0
    for fit in json.load(open(fit_json))["fits"]:
        for p in fit["parameters"]:
            if p["op"] not in ("~", ":="):
                continue
            for key in ("est", "se", "std_all"):
                if not present(p[key], structural):
                    return f"{fit['group']}: {p['lhs']} {p['op']} {p['rhs']} {key} {p[key]} not on Structural"
                checked += 1
        for key in ("chisq", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
                    "srmr", "aic", "bic", "pvalue"):
            if not present(fit["fit"][key], fit_sheet):
                return f"{fit['group']}: {key} {fit['fit'][key]} not on Fit"
            checked += 1
    if compare_json:
        problem = check_tables(book, names, compare_json,
                               lambda t: "Indirect effects" if t == "compare.effects" else "Comparison",
                               "the comparison")
        if problem:
            return problem
    if reliability_json:
        problem = check_tables(book, names, reliability_json, lambda t: "Reliability",
                               "brisk reliability")
        if problem:
            return problem
    print(f"# {checked} numbers of the fit found in the workbook")
    return None


def check_tables(book, names, tables_json, sheet_of, what):
    """Every number of a brisk command's --format json tables on the sheet
    sheet_of(table id) names."""
    numbers = {}
    checked = 0
    for table in json.load(open(tables_json))["tables"]:
        sheet = sheet_of(table["id"])
        if sheet not in names:
            return f"no sheet {sheet!r} (sheets: {names})"
        if sheet not in numbers:
            numbers[sheet] = sheet_numbers(book, names, sheet)
        for row in table["rows"]:
            for key, value in row.items():
                if isinstance(value, float) and not present(value, numbers[sheet]):
                    return f"{table['id']}: {key} {value} not on {sheet}"
                checked += isinstance(value, float)
    print(f"# {checked} numbers of {what} found in the workbook")
    return None


if __name__ == "__main__":
    problem = main(*sys.argv[1:5])
    if problem:
        print(problem, file=sys.stderr)
        sys.exit(1)
