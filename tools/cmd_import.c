/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk import FILE: what a data file holds; optionally convert it. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cli.h"

static int run(int argc, char **argv);

const cli_command cmd_import = {
    .name = "import",
    .summary = "variables, labels and missing values of a data file; converts it",
    .usage =
        "Usage: brisk import [OPTION]... FILE\n"
        "List the variables of a data file, one row each: name, type, measure, label,\n"
        "valid n, missing n by kind (empty, user-defined code, tagged), user-missing\n"
        "codes and the number of value labels; then every value label.\n"
        "FILE: .csv .tsv .txt .dat (delimited text), .sav .zsav .por (SPSS),\n"
        ".dta (Stata), .sas7bdat .xpt .xport (SAS), .xlsx (Excel).\n\n"
        "Options:\n"
        "  -e, --encoding ENC   the file's character encoding (e.g. GB18030, latin1);\n"
        "                       default: UTF-8, or what the file declares\n"
        "  -d, --delimiter C    field delimiter of a text file (default: detected);\n"
        "                       'tab' for a tab\n"
        "      --sheet NAME     the sheet of an .xlsx workbook (default: the first)\n"
        "      --decimal C      decimal mark of a text file: . (default) or , (then\n"
        "                       the delimiter detected is ; or a tab)\n"
        "      --skip N         lines (xlsx: rows) before the header row\n"
        "      --header-rows N  rows of header (Qualtrics: 3); the second row gives\n"
        "                       the variables' labels\n"
        "  -o, --output FILE    convert the data to FILE, by its extension:\n"
        "                       .csv .tsv: missing values become empty cells; value\n"
        "                       labels (unless --labels) go to FILE.labels.csv\n"
        "                       .xlsx: sheets Data (header frozen), Variables (type,\n"
        "                       label, measure, format, user-missing codes) and\n"
        "                       Labels (variable, value, label, user-missing)\n"
        "                       .sav (SPSS) .dta (Stata 14+): names, labels, value\n"
        "                       labels, user-missing codes (SPSS), tagged missing\n"
        "                       values (Stata), measures; a name Stata cannot hold\n"
        "                       is refused, never renamed\n"
        "  -l, --labels         with -o .csv .tsv .xlsx: write labelled values as\n"
        "                       their labels\n"
        "  -f, --format FMT     format of the variable listing: text (default), csv,\n"
        "                       md or json\n"
        "      --where COND     only the rows where COND holds ('age >= 18')\n"
        "  -q, --quiet          print no listing (with -o: just convert)\n"
        "  -h, --help           show this help\n"
        "  -V, --version        show the version\n\n"
        "Examples:\n"
        "  brisk import tests/data/labelled.sav\n"
        "  brisk import tests/data/labelled.dta -o labelled.csv --labels\n"
        "  brisk import tests/data/labelled.sav -o labelled.dta\n",
    .run = run,
};

typedef struct import_options {
    cli_common common;
    const char *encoding;
    char delimiter;
    bool labels;
} import_options;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

typedef enum output_kind { OUT_UNKNOWN, OUT_CSV, OUT_TSV, OUT_XLSX, OUT_SAV, OUT_DTA } output_kind;

static output_kind output_kind_of(const char *path)
{
    static const struct {
        const char *extension;
        output_kind kind;
    } kinds[] = {{".csv", OUT_CSV}, {".tsv", OUT_TSV}, {".xlsx", OUT_XLSX},
                 {".sav", OUT_SAV}, {".dta", OUT_DTA}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (ends_with(path, kinds[k].extension))
            return kinds[k].kind;
    return OUT_UNKNOWN;
}

static int parse_delimiter(import_options *o, const char *arg)
{
    if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0)
        o->delimiter = '\t';
    else if (strlen(arg) == 1 && strchr(",;|\t", arg[0]))
        o->delimiter = arg[0];
    else
        return cli_usage_error(&cmd_import, "delimiter must be one of , ; | tab, not '%s'", arg);
    return -1;
}

static int parse_options(import_options *o, int argc, char **argv)
{
    static const struct option options[] = {
        {"encoding", required_argument, NULL, 'e'},
        {"delimiter", required_argument, NULL, 'd'},
        {"labels", no_argument, NULL, 'l'},
        CLI_READ_OPTIONS, CLI_COMMON_OPTIONS, {NULL, 0, NULL, 0}};
    int opt, status;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "e:d:l" CLI_COMMON_SHORT, options, NULL)) != -1) {
        switch (opt) {
        case 'e': o->encoding = optarg; break;
        case 'd':
            if ((status = parse_delimiter(o, optarg)) >= 0)
                return status;
            break;
        case 'l': o->labels = true; break;
        case 'o': o->common.output = optarg; break;
        default:
            if ((status = cli_common_option(&o->common, opt, &cmd_import)) >= 0)
                return status;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error(&cmd_import, optind >= argc ? "a data file is required"
                                                           : "one data file at a time");
    if (o->labels && !o->common.output)
        return cli_usage_error(&cmd_import, "--labels goes with -o FILE");
    if (o->common.output && output_kind_of(o->common.output) == OUT_UNKNOWN)
        return cli_usage_error(&cmd_import, "-o converts to .csv .tsv .xlsx .sav or .dta, "
                               "not '%s'", o->common.output);
    if (o->labels && (output_kind_of(o->common.output) == OUT_SAV ||
                      output_kind_of(o->common.output) == OUT_DTA))
        return cli_usage_error(&cmd_import, "--labels goes with .csv .tsv or .xlsx: a .sav "
                               "or .dta keeps the codes and their labels");
    o->common.format = BRISK_OUT_TEXT;
    if (o->common.format_name &&
        !brisk_output_format_parse(o->common.format_name, &o->common.format))
        return cli_usage_error(&cmd_import, "unknown format '%s' (text, csv, md, json)",
                               o->common.format_name);
    return -1;
}


/* What the .sav/.dta writer could not carry: a warning on standard error. */
static void print_notice(void *ctx, const char *variable, const char *message)
{
    const import_options *o = ctx;
    (void)variable;
    if (o->common.quiet)
        return;
    fputs("brisk import: warning: ", stderr);
    cli_print_clean(stderr, message);
    fputc('\n', stderr);
}

/* .xlsx, .sav, .dta: one file, written to a temporary name and renamed
 * when complete.  A .sav/.dta is written through a stream, a workbook by
 * name (libxlsxwriter opens the file itself). */
static brisk_status convert_one(const import_options *o, const brisk_dataset *ds,
                                brisk_error *err)
{
    output_kind kind = output_kind_of(o->common.output);
    brisk_output out = {0};
    brisk_status st = kind == OUT_XLSX ? brisk_output_open_path(&out, o->common.output, err)
                                       : brisk_output_open(&out, o->common.output, err);
    if (st == BRISK_OK && kind == OUT_XLSX)
        st = brisk_write_dataset_xlsx(out.temp, ds, o->labels, err);
    else if (st == BRISK_OK)
        st = brisk_write_dataset_stat(out.stream, ds,
                                      kind == OUT_SAV ? BRISK_FORMAT_SAV : BRISK_FORMAT_DTA,
                                      print_notice, (void *)o, err);
    if (st == BRISK_OK)
        return brisk_output_commit(&out, err);
    /* The error names the file asked for, not the temporary one. */
    brisk_error_at(err, o->common.output, 0, 0);
    brisk_output_abort(&out);
    return st;
}

/* Both files are written to temporary names and renamed only when both are
 * complete, so a failure leaves neither. */
static brisk_status convert(const import_options *o, const brisk_dataset *ds, brisk_error *err)
{
    if (output_kind_of(o->common.output) != OUT_CSV && output_kind_of(o->common.output) != OUT_TSV)
        return convert_one(o, ds, err);
    char delimiter = ends_with(o->common.output, ".tsv") ? '\t' : ',';
    bool with_labels = !o->labels && brisk_dataset_count_labels(ds) > 0;
    char *labels_path = NULL;
    brisk_output data = {0}, labels = {0};
    brisk_status st = brisk_output_open(&data, o->common.output, err);
    if (st == BRISK_OK &&
        (st = brisk_write_dataset_csv(data.stream, ds, delimiter, o->labels, err)) != BRISK_OK)
        brisk_error_at(err, o->common.output, 0, 0);   /* the output, not the data read */
    if (st == BRISK_OK && with_labels && asprintf(&labels_path, "%s.labels.csv",
                                                  o->common.output) < 0) {
        labels_path = NULL;
        st = brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    }
    if (st == BRISK_OK && with_labels)
        st = brisk_output_open(&labels, labels_path, err);
    if (st == BRISK_OK && with_labels &&
        (st = brisk_write_value_labels_csv(labels.stream, ds, err)) != BRISK_OK)
        brisk_error_at(err, labels_path, 0, 0);
    if (st == BRISK_OK && with_labels)
        st = brisk_output_commit(&labels, err);
    if (st == BRISK_OK && (st = brisk_output_commit(&data, err)) != BRISK_OK && with_labels)
        remove(labels_path); /* the labels were renamed, the data not: undo */
    brisk_output_abort(&data);   /* no-ops after a commit */
    brisk_output_abort(&labels);
    free(labels_path);
    return st;
}

static int run(int argc, char **argv)
{
    import_options o = {0};
    int status = parse_options(&o, argc, argv);
    if (status >= 0)
        return status;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_read_options ropt = o.common.read;
    ropt.delimiter = o.delimiter;
    ropt.encoding = o.encoding;
    brisk_dataset *ds = NULL;
    brisk_table_list *tables = brisk_table_list_new();
    char note[1024] = "";
    brisk_status st = tables ? brisk_read_file(argv[optind], &ropt, &ds, &err)
                             : brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = cli_filter_data(ds, o.common.where, note, sizeof note, &err);
    if (st == BRISK_OK && o.common.output)
        st = convert(&o, ds, &err);
    if (st == BRISK_OK && !o.common.quiet)
        st = brisk_inspect(ds, tables, &err);
    if (st == BRISK_OK)
        st = cli_add_data_notes(tables, ds, &err);
    if (st == BRISK_OK && cli_note_rows(tables, note) != BRISK_OK)
        st = brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory");
    if (st != BRISK_OK) {
        status = cli_fail(&err);
    } else if (!o.common.quiet) {
        cli_common listing = o.common;
        listing.output = NULL; /* -o is the converted data; the listing goes to stdout */
        cli_print_warnings(&listing, tables);
        status = cli_write_tables(&listing, tables);
    } else {
        status = EXIT_DONE;
    }
    brisk_table_list_free(tables);
    brisk_dataset_free(ds);
    return status;
}
