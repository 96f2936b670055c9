/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every brisk subcommand shares: options, output, errors. */
#include <config.h>
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#undef getopt_long   /* glibc's, which cli_getopt_long calls */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static const cli_command *current;   /* set once, before the command runs */

void cli_set_command(const cli_command *cmd)
{
    current = cmd;
}

const char *cli_prefix(void)
{
    static char prefix[64];
    snprintf(prefix, sizeof prefix, "brisk%s%s", current ? " " : "", current ? current->name : "");
    return prefix;
}

/* The long option named by name[0..len), or NULL. */
static const struct option *long_option(const struct option *opts, const char *name, size_t len)
{
    for (const struct option *o = opts; o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

/* " (options are written in full: did you mean --x?)" for the options
 * name[0..len) begins, or "; did you mean --x?" for the nearest one within
 * two edits, or "". */
static void suggest_option(const struct option *opts, const char *name, size_t len,
                           char *buf, size_t size)
{
    char word[65];
    snprintf(word, sizeof word, "%.*s", (int)(len < 64 ? len : 64), name);
    const char *found[2] = {NULL, NULL};
    size_t nfound = 0;
    for (const struct option *o = opts; o->name && len; o++)
        if (strncmp(o->name, word, len) == 0 && nfound++ < 2)
            found[nfound - 1] = o->name;
    const char *why = nfound ? " (options are written in full: did you mean" : "; did you mean";
    const char *end = nfound ? "?)" : "?";
    if (!nfound) {
        size_t best = 3;
        for (const struct option *o = opts; o->name; o++) {
            size_t d = brisk_edit_distance(word, o->name);
            if (d < best && d < strlen(o->name)) {
                best = d;
                found[0] = o->name;
                nfound = 1;
            }
        }
    }
    if (nfound > 2)
        snprintf(buf, size, "%s --%s, --%s or another%s", why, found[0], found[1], end);
    else if (nfound == 2)
        snprintf(buf, size, "%s --%s or --%s%s", why, found[0], found[1], end);
    else if (nfound == 1)
        snprintf(buf, size, "%s --%s%s", why, found[0], end);
    else
        buf[0] = '\0';
}

/* Does a command's --help list --name[0..len) as an option? */
static bool lists_option(const cli_command *cmd, const char *name, size_t len)
{
    for (const char *p = strstr(cmd->usage, "--"); p; p = strstr(p + 2, "--"))
        if (strncmp(p + 2, name, len) == 0 && !isalnum((unsigned char)p[2 + len]) &&
            p[2 + len] != '-' && (p == cmd->usage || isspace((unsigned char)p[-1]) ||
                                  p[-1] == ',' || p[-1] == '['))
            return true;
    return false;
}

/* "; --se is an option of brisk fit, not of brisk compare" when other
 * commands take it (a lavaan reflex on the wrong command), or "". */
static void other_commands(const char *name, size_t len, char *buf, size_t size)
{
    const cli_command *takes[16];
    size_t found = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cli_ncommands && found < 16; i++)
        if (cli_commands[i] != current && lists_option(cli_commands[i], name, len))
            takes[found++] = cli_commands[i];
    if (!found || !current)
        return;
    char list[160] = "";
    for (size_t k = 0, at = 0; k < found && at < sizeof list; k++) {
        int w = snprintf(list + at, sizeof list - at, "%sbrisk %s",
                         k == 0 ? "" : k + 1 == found ? " and " : ", ", takes[k]->name);
        at += w > 0 ? (size_t)w : 0;
    }
    snprintf(buf, size, " (--%.*s is an option of %.100s, not of brisk %s)",
             (int)(len < 40 ? len : 40), name, list, current->name);
}

static int unknown_long_option(const struct option *opts, const char *word)
{
    const char *name = word + 2;
    size_t len = strcspn(name, "=");
    char hint[200];
    other_commands(name, len, hint, sizeof hint);
    if (!hint[0])
        suggest_option(opts, name, len, hint, sizeof hint);
    fprintf(stderr, "%s: unknown option '--%.*s'%s\n",
            cli_prefix(), (int)len, name, hint);
    return '?';
}

int cli_getopt_long(int argc, char *const argv[], const char *shortopts,
                    const struct option *longopts, int *longindex)
{
    int index = -1, saved = opterr;
    opterr = 0;   /* the messages are ours, with the command's name */
    int opt = getopt_long(argc, argv, shortopts, longopts, &index);
    opterr = saved;
    if (longindex)
        *longindex = index;
    if (opt == -1)
        return opt;
    if (opt != '?' && index >= 0) {
        /* the element getopt read: before the argument when that came apart */
        const char *word = optarg && optind >= 2 && optarg == argv[optind - 1]
                               ? argv[optind - 2] : argv[optind - 1];
        const char *name = word + 2;
        if (strncmp(word, "--", 2) != 0 || !long_option(longopts, name, strcspn(name, "=")))
            return unknown_long_option(longopts, word);
        return opt;
    }
    if (opt != '?')
        return opt;
    /* optopt is 0 for an unknown long option, else the option whose value
     * is missing or not wanted; a short option's error in "-xq" may come
     * after a long option's element, which then is not the one at fault */
    const char *word = optind >= 1 && optind <= argc ? argv[optind - 1] : "";
    if (strncmp(word, "--", 2) == 0) {
        const char *name = word + 2;
        size_t len = strcspn(name, "=");
        const struct option *o = long_option(longopts, name, len);
        if (o && !o->flag && optopt && o->val == optopt) {
            fprintf(stderr, name[len] == '=' ? "%s: option '--%s' takes no value\n"
                                             : "%s: option '--%s' needs a value\n",
                    cli_prefix(), o->name);
            return '?';
        }
        bool begun = optopt == 0;   /* an abbreviation getopt took, short of its value */
        for (const struct option *p = longopts; p->name && !begun && !o; p++)
            begun = strncmp(p->name, name, len) == 0 && !p->flag && p->val == optopt;
        if (begun)
            return unknown_long_option(longopts, word);
    }
    const char *at = optopt > 0 && optopt < 128 ? strchr(shortopts, optopt) : NULL;
    if (at && optopt != ':')
        fprintf(stderr, "%s: option '-%c' needs a value\n", cli_prefix(), optopt);
    else if (optopt > 32 && optopt < 127)
        fprintf(stderr, "%s: unknown option '-%c'\n", cli_prefix(), optopt);
    else
        fprintf(stderr, "%s: unknown option\n", cli_prefix());
    return '?';
}

int cli_exit_status(brisk_status status)
{
    switch (status) {
    case BRISK_OK: return EXIT_DONE;
    case BRISK_ERR_ARGUMENT: return EXIT_USAGE;
    case BRISK_ERR_MODEL:
    case BRISK_ERR_CONVERGENCE:
    case BRISK_ERR_DATA: return EXIT_MODEL;
    case BRISK_ERR_WRITE: return EXIT_OUTPUT;
    default: return EXIT_INPUT;
    }
}

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "brisk %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'brisk %s --help'.\n", cmd->name);
    return EXIT_USAGE;
}

static int read_option(cli_common *c, int opt, const cli_command *cmd)
{
    unsigned long long n = 0;
    bool count = opt == CLI_OPT_SKIP || opt == CLI_OPT_HEADER_ROWS;
    const char *name = opt == CLI_OPT_SHEET ? "--sheet" : opt == CLI_OPT_DECIMAL ? "--decimal"
                       : opt == CLI_OPT_SKIP ? "--skip" : "--header-rows";
    if (!c->read_option)
        c->read_option = name;
    if (count && !cli_parse_count(optarg, opt == CLI_OPT_SKIP ? 0 : 1, BRISK_MAX_HEADER_ROWS,
                                  &n))
        return cli_usage_error(cmd, "%s takes a whole number from %d to %d, not '%s'", name,
                               opt == CLI_OPT_SKIP ? 0 : 1, BRISK_MAX_HEADER_ROWS, optarg);
    if (opt == CLI_OPT_SHEET)
        c->read.sheet = optarg;
    else if (opt == CLI_OPT_SKIP)
        c->read.skip = (unsigned)n;
    else if (opt == CLI_OPT_HEADER_ROWS)
        c->read.header_rows = (unsigned)n;
    else if (strcmp(optarg, ".") == 0 || strcmp(optarg, ",") == 0)
        c->read.decimal = optarg[0];
    else
        return cli_usage_error(cmd, "--decimal takes . or , not '%s'", optarg);
    return -1;
}

int cli_check_read_options(const cli_common *c, const char *data, const cli_command *cmd)
{
    if (data || !c->read_option)
        return -1;
    return cli_usage_error(cmd, "%s goes with --data; a survey says how its data are read "
                           "([survey]: sheet, decimal, skip, header_rows)", c->read_option);
}

int cli_common_option(cli_common *c, int opt, const cli_command *cmd)
{
    switch (opt) {
    case CLI_OPT_SHEET:
    case CLI_OPT_DECIMAL:
    case CLI_OPT_SKIP:
    case CLI_OPT_HEADER_ROWS: return read_option(c, opt, cmd);
    case 'f': c->format_name = optarg; return -1;
    case 'o': c->output = optarg; return -1;
    case 'q': c->quiet = true; return -1;
    case CLI_OPT_WHERE:
        if (strcmp(cmd->name, "simulate") == 0 || strcmp(cmd->name, "power") == 0)
            return cli_usage_error(cmd, "--where filters the rows of data read from a file; "
                                   "brisk %s draws its data", cmd->name);
        c->where = optarg;
        return -1;
    case 'h': fputs(cmd->usage, stdout); return EXIT_DONE;
    case 'V': fputs(CLI_VERSION_TEXT, stdout); return EXIT_DONE;
    default: /* getopt has printed what was wrong */
        fprintf(stderr, "Try 'brisk %s --help'.\n", cmd->name);
        return EXIT_USAGE;
    }
}

int cli_resolve_format(cli_common *c, const cli_command *cmd)
{
    c->format = BRISK_OUT_TEXT;
    if (c->format_name) {
        if (!brisk_output_format_parse(c->format_name, &c->format))
            return cli_usage_error(cmd, "unknown format '%s' (text, csv, md, json, tex, "
                                   "xlsx, html, docx)", c->format_name);
    } else if (c->output && strcmp(c->output, "-") != 0 &&
               !brisk_output_format_from_path(c->output, &c->format)) {
        return cli_usage_error(cmd, "cannot tell the format from '%s': give --format "
                               "(text, csv, md, json, tex, xlsx, html, docx)", c->output);
    }
    return -1;
}

int cli_write_output(const cli_common *c, cli_writer write, const void *ctx)
{
    brisk_error err;
    brisk_error_clear(&err);
    if (!c->output || strcmp(c->output, "-") == 0) {
        brisk_status st = write(stdout, ctx, &err);
        if (st == BRISK_ERR_WRITE)
            brisk_error_at(&err, "standard output", 0, 0);
        if (st == BRISK_OK && fflush(stdout) != 0)
            st = brisk_error_set(&err, BRISK_ERR_WRITE, "cannot write to standard output");
        return st == BRISK_OK ? EXIT_DONE : cli_fail(&err);
    }
    brisk_output out;
    brisk_status st = brisk_output_open(&out, c->output, &err);
    if (st == BRISK_OK) {
        st = write(out.stream, ctx, &err);
        if (st == BRISK_OK) {
            st = brisk_output_commit(&out, &err);
        } else {
            if (st == BRISK_ERR_WRITE)
                brisk_error_at(&err, c->output, 0, 0);   /* the output, not an input */
            brisk_output_abort(&out);
        }
    }
    return st == BRISK_OK ? EXIT_DONE : cli_fail(&err);
}

typedef struct tables_job {
    brisk_output_format format;
    const brisk_table_list *tables;
} tables_job;

static brisk_status write_tables_job(FILE *f, const void *ctx, brisk_error *err)
{
    const tables_job *job = ctx;
    return brisk_write_tables(f, job->format, job->tables, err);
}

int cli_write_tables(const cli_common *c, const brisk_table_list *tables)
{
    if (c->output && strcmp(c->output, "-") != 0) {
        brisk_error err;
        brisk_error_clear(&err);
        brisk_status st = brisk_write_tables_file(c->output, c->format, tables, &err);
        return st == BRISK_OK ? EXIT_DONE : cli_fail(&err);
    }
    if (c->format == BRISK_OUT_XLSX) {
        fprintf(stderr, "%s: an xlsx workbook needs a file: give -o FILE.xlsx\n", cli_prefix());
        return EXIT_USAGE;
    }
    if (c->format == BRISK_OUT_DOCX) {
        fprintf(stderr, "%s: a Word document needs a file: give -o FILE.docx\n", cli_prefix());
        return EXIT_USAGE;
    }
    tables_job job = {c->format, tables};
    return cli_write_output(c, write_tables_job, &job);
}

/* Do standard output and standard error go to one place (a terminal, a
 * pipe, a file given 2>&1)? */
static bool same_stream(void)
{
    struct stat out, err;
    return fstat(STDOUT_FILENO, &out) == 0 && fstat(STDERR_FILENO, &err) == 0 &&
           out.st_dev == err.st_dev && out.st_ino == err.st_ino;
}

void cli_print_warnings(const cli_common *c, const brisk_table_list *tables)
{
    /* Every format but CSV carries the warnings (a "Warnings" list, a note,
     * a JSON member): written to where standard error goes too, they are
     * not said twice. */
    bool to_stdout = !c->output || strcmp(c->output, "-") == 0;
    if (c->quiet || (to_stdout && c->format != BRISK_OUT_CSV && same_stream()))
        return;
    for (size_t k = 0; k < tables->nwarnings; k++) {
        fprintf(stderr, "%s: warning: ", cli_prefix());
        cli_print_clean(stderr, tables->warnings[k]);
        fputc('\n', stderr);
    }
}

/* The line of a text file, for showing where an error is. */
static bool read_line(const char *path, long line, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    long at = 1;
    bool found = false;
    while (fgets(buf, (int)size, f)) {
        size_t n = strlen(buf);
        bool whole = n && buf[n - 1] == '\n';
        if (at == line) {
            buf[strcspn(buf, "\r\n")] = '\0';
            found = true;
            break;
        }
        if (whole)
            at++;
    }
    fclose(f);
    return found;
}

static void show_caret(const brisk_error *err)
{
    char text[512];
    if (err->line <= 0 || err->column <= 0 || !err->file[0] ||
        !read_line(err->file, err->line, text, sizeof text))
        return;
    /* control bytes shown as '?', one column each, so the caret stays under
     * its character */
    for (unsigned char *p = (unsigned char *)text; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            *p = '?';
    fprintf(stderr, "  %s\n  ", text);
    /* Count displayed characters up to the column (tabs kept as tabs). */
    long col = 1;
    for (const unsigned char *p = (const unsigned char *)text; *p && col < err->column; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        fputc(*p == '\t' ? '\t' : ' ', stderr);
        col++;
    }
    fputs("^\n", stderr);
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static size_t utf8_length(const unsigned char *s)
{
    size_t n = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3
                               : (s[0] >> 3) == 30 ? 4 : 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] >> 6) != 2)
            return 0;
    return n;
}

void cli_print_clean(FILE *f, const char *text)
{
    /* A message may quote a file's bytes (a name, a value, a corrupt
     * file's garbage): control bytes and invalid UTF-8 are shown as \xNN,
     * never sent to the terminal as they are. */
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        size_t n = utf8_length(p);
        if (n == 0 || (n == 1 && ((*p < 0x20 && *p != '\t') || *p == 0x7f))) {
            fprintf(f, "\\x%02X", *p++);
            continue;
        }
        fwrite(p, 1, n, f);
        p += n;
    }
}

int cli_fail(const brisk_error *err)
{
    char msg[2048];
    fprintf(stderr, "%s: ", cli_prefix());
    cli_print_clean(stderr, brisk_error_format(err, msg, sizeof msg));
    fputc('\n', stderr);
    /* Survey and model files are ours to point into; data files may be huge. */
    if (ends_with(err->file, ".survey") || ends_with(err->file, ".lav") ||
        ends_with(err->file, ".model"))
        show_caret(err);
    return cli_exit_status(err->status);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *try_path(const char *fmt, const char *dir, const char *name)
{
    char *path = NULL;
    if (asprintf(&path, fmt, dir, name, name) < 0)
        return NULL;
    if (is_file(path))
        return path;
    free(path);
    return NULL;
}

char *cli_find_survey(const char *arg, brisk_error *err)
{
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        brisk_error_at(err, arg, 0, 0);
        brisk_error_set(err, BRISK_ERR_OPEN, "is a folder, not a survey file");
        return NULL;
    }
    if (is_file(arg) || strchr(arg, '/') || ends_with(arg, ".survey")) {
        if (is_file(arg))
            return strdup(arg);
        brisk_error_at(err, arg, 0, 0);
        brisk_error_set(err, BRISK_ERR_OPEN, "no such survey file");
        return NULL;
    }
    /* A bundled survey by name: $BRISK_SURVEYS first, then the installed ones. */
    const char *dirs[] = {getenv("BRISK_SURVEYS"), BRISK_DATADIR "/surveys"};
    for (size_t i = 0; i < 2; i++) {
        char *path = dirs[i] ? try_path("%s/%s/%s.survey", dirs[i], arg) : NULL;
        if (path)
            return path;
    }
    brisk_error_set(err, BRISK_ERR_OPEN,
                    "'%s' is neither a survey file nor a bundled survey (looked in "
                    "$BRISK_SURVEYS and %s/surveys); give the path of a .survey file",
                    arg, BRISK_DATADIR);
    return NULL;
}

brisk_status cli_survey_open(cli_survey *cs, const char *arg, const char *where,
                             brisk_error *err)
{
    memset(cs, 0, sizeof *cs);
    cs->path = cli_find_survey(arg, err);
    brisk_status st = cs->path ? brisk_survey_load(cs->path, &cs->survey, err) : err->status;
    if (st == BRISK_OK && where)
        st = brisk_survey_set_where(cs->survey, where, err);
    if (st == BRISK_OK)
        st = brisk_survey_read_data(cs->survey, &cs->data, err);
    return st;
}

void cli_survey_close(cli_survey *cs)
{
    brisk_survey_data_free(cs->data);
    brisk_survey_free(cs->survey);
    free(cs->path);
    memset(cs, 0, sizeof *cs);
}

brisk_status cli_add_data_notes(brisk_table_list *tables, const brisk_dataset *ds,
                                brisk_error *err)
{
    for (size_t k = 0; ds && k < ds->nnotes; k++)
        if (brisk_table_list_warn(tables, "%s", ds->notes[k]) != BRISK_OK)
            return brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
    return BRISK_OK;
}

void cli_print_data_notes(const cli_common *c, const brisk_dataset *ds)
{
    for (size_t k = 0; ds && !c->quiet && k < ds->nnotes; k++) {
        fputs("brisk: warning: ", stderr);
        cli_print_clean(stderr, ds->notes[k]);
        fputc('\n', stderr);
    }
}

brisk_status cli_note_rows(brisk_table_list *tables, const char *note)
{
    for (size_t k = 0; note[0] && k < tables->count; k++)
        if (brisk_table_add_note(tables->tables[k], "%s", note) != BRISK_OK)
            return BRISK_ERR_NOMEM;
    return BRISK_OK;
}

brisk_status cli_filter_data(brisk_dataset *ds, const char *where, char *note, size_t size,
                             brisk_error *err)
{
    note[0] = '\0';
    if (!where)
        return BRISK_OK;
    size_t before = ds->nrows, kept;
    brisk_status st = brisk_dataset_filter(ds, where, &kept, err);
    if (st != BRISK_OK) {
        err->column = 0;   /* the condition's, not a file's */
        return brisk_error_prefix(err, "--where: ");
    }
    brisk_filter_note(note, size, where, kept, before);
    return BRISK_OK;
}

int cli_run_data_tables(const cli_common *c, const char *data, const char *model,
                        cli_model_analysis analysis, const void *ctx)
{
    char note[1024] = "";
    brisk_error err;
    brisk_error_clear(&err);
    brisk_dataset *ds = NULL;
    brisk_table_list *tables = brisk_table_list_new();
    char *text = tables && model ? cli_read_text_file(model, &err) : NULL;
    brisk_status st = !tables          ? brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory")
                      : text || !model ? brisk_read_file(data, &c->read, &ds, &err)
                                       : err.status;
    if (st == BRISK_OK)
        st = cli_add_data_notes(tables, ds, &err);
    if (st == BRISK_OK)
        st = cli_filter_data(ds, c->where, note, sizeof note, &err);
    if (st == BRISK_OK)
        st = analysis(text, model, ds, ctx, tables, &err);
    if (st == BRISK_OK && cli_note_rows(tables, note) != BRISK_OK)
        st = brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        cli_print_warnings(c, tables);
    int status = st == BRISK_OK ? cli_write_tables(c, tables) : cli_fail(&err);
    brisk_table_list_free(tables);
    brisk_dataset_free(ds);
    free(text);
    return status;
}

/* The behaviours' keys and labels, for a message: "crime (Criminal records), ...". */
static void list_behaviours(const brisk_survey *s, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t b = 0; b < s->nbehaviours && at < size; b++) {
        int k = snprintf(buf + at, size - at, "%s%s (%s)", b ? ", " : "",
                         s->behaviours[b].key,
                         s->behaviours[b].value ? s->behaviours[b].value : "no label");
        at += k > 0 ? (size_t)k : 0;
    }
}

int cli_check_behaviours(const cli_command *cmd, const char *arg, const char **keys, size_t n)
{
    /* the keys of behaviours given by their labels, for the rest of the run */
    static char resolved[CLI_MAX_BEHAVIOURS][256];
    if (!n)
        return -1;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_survey *s = NULL;
    char *path = cli_find_survey(arg, &err);
    if (!path || brisk_survey_load(path, &s, &err) != BRISK_OK) {
        free(path);
        return cli_fail(&err);
    }
    int status = -1;
    for (size_t i = 0; i < n && i < CLI_MAX_BEHAVIOURS && status < 0; i++) {
        const char *key = NULL;
        for (size_t b = 0; b < s->nbehaviours && !key; b++)
            if (strcmp(s->behaviours[b].key, keys[i]) == 0)
                key = s->behaviours[b].key;
        for (size_t b = 0; b < s->nbehaviours && !key; b++)
            if (s->behaviours[b].value && strcasecmp(s->behaviours[b].value, keys[i]) == 0)
                key = s->behaviours[b].key;
        if (key && strlen(key) < sizeof resolved[i]) {
            keys[i] = strcpy(resolved[i], key);
        } else {
            char list[1024];
            list_behaviours(s, list, sizeof list);
            status = s->nbehaviours
                         ? cli_usage_error(cmd, "the survey has no behaviour '%s': give a key or "
                                           "a label of %s", keys[i], list)
                         : cli_usage_error(cmd, "the survey has no behaviour '%s': it has no "
                                           "[behaviours]", keys[i]);
        }
    }
    brisk_survey_free(s);
    free(path);
    return status;
}

int cli_run_survey_tables(const cli_common *c, const char *arg, cli_analysis analysis,
                          const void *ctx)
{
    brisk_error err;
    brisk_error_clear(&err);
    cli_survey cs;
    brisk_table_list *tables = brisk_table_list_new();
    brisk_status st = tables ? cli_survey_open(&cs, arg, c->where, &err)
                             : brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory");
    if (st == BRISK_OK)
        st = cli_add_data_notes(tables, cs.data->ds, &err);
    if (st == BRISK_OK)
        st = analysis(&cs, ctx, tables, &err);
    char note[1024];
    if (st == BRISK_OK) {
        brisk_survey_filter_note(cs.data, note, sizeof note);
        if (cli_note_rows(tables, note) != BRISK_OK)
            st = brisk_error_set(&err, BRISK_ERR_NOMEM, "out of memory");
    }
    int status;
    if (st == BRISK_OK) {
        cli_print_warnings(c, tables);
        status = cli_write_tables(c, tables);
    } else {
        status = cli_fail(&err);
    }
    if (tables)
        cli_survey_close(&cs);
    brisk_table_list_free(tables);
    return status;
}

bool cli_parse_group_equal(const char *list, unsigned *flags)
{
    static const struct { const char *name; unsigned flag; } words[] = {
        {"loadings", BRISK_EQUAL_LOADINGS}, {"intercepts", BRISK_EQUAL_INTERCEPTS},
        {"residuals", BRISK_EQUAL_RESIDUALS}, {"lv.variances", BRISK_EQUAL_LV_VARIANCES},
        {"regressions", BRISK_EQUAL_REGRESSIONS}, {"means", BRISK_EQUAL_MEANS},
        {"thresholds", BRISK_EQUAL_THRESHOLDS}, {"lv.covariances", BRISK_EQUAL_LV_COVARIANCES},
        {"residual.covariances", BRISK_EQUAL_RESIDUAL_COVARIANCES},
    };
    char *copy = strdup(list), *save = NULL;
    bool ok = copy != NULL;
    for (char *w = copy ? strtok_r(copy, ", ", &save) : NULL; w && ok;
         w = strtok_r(NULL, ", ", &save)) {
        ok = false;
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
            if (strcmp(w, words[i].name) == 0) {
                *flags |= words[i].flag;
                ok = true;
            }
    }
    free(copy);
    return ok;
}

/* A model file is text of at most this many bytes (a model of thousands of
 * statements is a few hundred KiB): what is read from a file is bounded. */
#define MAX_MODEL_BYTES (16u << 20)

char *cli_read_text_file(const char *path, brisk_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        brisk_error_at(err, path, 0, 0);
        brisk_error_set(err, BRISK_ERR_OPEN, "cannot read the model file");
        return NULL;
    }
    size_t size = 0, cap = 65536;
    char *text = malloc(cap + 1);
    bool too_big = false;
    while (text && !too_big) {
        if (size == cap) {
            char *grown = realloc(text, 2 * cap + 1);
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
            cap *= 2;
        }
        size_t n = fread(text + size, 1, cap - size, f);
        size += n;
        too_big = size > MAX_MODEL_BYTES;
        if (n == 0)
            break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (!text) {
        brisk_error_set(err, BRISK_ERR_NOMEM, "out of memory");
        return NULL;
    }
    text[size] = '\0';
    const char *nul = memchr(text, '\0', size);
    if (failed || too_big || nul) {
        long line = 1;
        for (const char *p = text; nul && p < nul; p++)
            line += *p == '\n';
        brisk_error_at(err, path, nul && !too_big ? line : 0, 0);
        brisk_error_set(err, failed ? BRISK_ERR_OPEN : BRISK_ERR_FORMAT, "%s",
                        failed    ? "cannot read the model file"
                        : too_big ? "the model file is larger than 16 MiB: is it a model in "
                                    "lavaan syntax?"
                                  : "the model file holds a NUL byte: it is not a text file "
                                    "(save it as plain text)");
        free(text);
        return NULL;
    }
    return text;
}

/* The first line (not a comment) with {b} or {behaviour}, or 0. */
static long template_line(const char *text)
{
    long line = 1;
    for (const char *p = text; *p; line++) {
        const char *eol = strchr(p, '\n'), *end = eol ? eol : p + strlen(p);
        const char *q = p + strspn(p, " \t");
        const char *b = strstr(p, "{b}"), *behaviour = strstr(p, "{behaviour}");
        if (*q != '#' && ((b && b < end) || (behaviour && behaviour < end)))
            return line;
        if (!eol)
            break;
        p = eol + 1;
    }
    return 0;
}

bool cli_refuse_templates(const char *path, const char *text, const char *what_to_do,
                          brisk_error *err)
{
    long line = template_line(text);
    if (!line)
        return false;
    brisk_error_at(err, path, line, 0);
    brisk_error_set(err, BRISK_ERR_FORMAT, "{b} and {behaviour} stand for a survey's "
                    "behaviours: %s", what_to_do);
    return true;
}

bool cli_parse_count(const char *arg, unsigned long long min, unsigned long long max,
                     unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (!isdigit((unsigned char)arg[0]) || errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_parse_number(const char *arg, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (errno || end == arg || *end || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

void cli_estimation_defaults(brisk_model_options *opt)
{
    opt->estimator = BRISK_ESTIMATOR_ML;
    opt->fiml = false;
    opt->survey_ordered = true;
    opt->time_limit = CLI_DEFAULT_TIME_LIMIT;
}

int cli_estimation_option(const cli_command *cmd, int opt, const char *arg,
                          brisk_model_options *m)
{
    if (opt == CLI_OPT_MISSING) {
        if (strcasecmp(arg, "listwise") != 0 && strcasecmp(arg, "fiml") != 0 &&
            strcasecmp(arg, "ml") != 0 && strcasecmp(arg, "pairwise") != 0)
            return cli_usage_error(cmd, "--missing takes listwise, fiml or pairwise, not '%s'",
                                   arg);
        m->pairwise = strcasecmp(arg, "pairwise") == 0;   /* WLSMV's */
        m->fiml = !m->pairwise && strcasecmp(arg, "listwise") != 0;
        return -1;
    }
    if (opt == CLI_OPT_CLUSTER || opt == CLI_OPT_UNCLUSTERED) {
        if (opt == CLI_OPT_CLUSTER)
            m->cluster = arg;
        else
            m->unclustered = true;
        if (m->cluster && m->unclustered)
            return cli_usage_error(cmd, "give --cluster or --unclustered, not both");
        return -1;
    }
    if (opt == CLI_OPT_WEIGHT || opt == CLI_OPT_UNWEIGHTED) {
        if (opt == CLI_OPT_WEIGHT)
            m->weight = arg;
        else
            m->unweighted = true;
        if (m->weight && m->unweighted)
            return cli_usage_error(cmd, "give --weight or --unweighted, not both");
        return -1;
    }
    if (opt == CLI_OPT_TIME_LIMIT) {
        /* a week at most: beyond that a limit means none */
        if (!cli_parse_number(arg, 0, 604800, &m->time_limit))
            return cli_usage_error(cmd, "--time-limit takes seconds from 0 (no limit) to "
                                   "604800, not '%s'", arg);
        return -1;
    }
    if (strcasecmp(arg, "ml") == 0)
        m->estimator = BRISK_ESTIMATOR_ML;
    else if (strcasecmp(arg, "mlr") == 0)
        m->estimator = BRISK_ESTIMATOR_MLR;
    else if (strcasecmp(arg, "mlm") == 0)
        m->estimator = BRISK_ESTIMATOR_MLM;
    else if (strcasecmp(arg, "wlsmv") == 0)
        m->estimator = BRISK_ESTIMATOR_WLSMV;
    else if (strcasecmp(arg, "gls") == 0)
        m->estimator = BRISK_ESTIMATOR_GLS;
    else if (strcasecmp(arg, "uls") == 0)
        m->estimator = BRISK_ESTIMATOR_ULS;
    else if (strcasecmp(arg, "wls") == 0 || strcasecmp(arg, "adf") == 0)
        m->estimator = BRISK_ESTIMATOR_WLS;
    else if (strcasecmp(arg, "dwls") == 0)
        m->estimator = BRISK_ESTIMATOR_DWLS;
    else
        return cli_usage_error(cmd, "--estimator takes ml, mlr, mlm, wlsmv, gls, uls, wls or "
                               "dwls, not '%s'", arg);
    if (brisk_estimator_least_squares(m->estimator) && cmd != &cmd_fit)
        return cli_usage_error(cmd, "--estimator %s is fitted by brisk fit only; %s takes ml, "
                               "mlr, mlm or wlsmv", arg, cmd->name);
    m->survey_ordered = false;   /* the estimator given holds for every item */
    return -1;
}

int cli_check_se_test(const cli_command *cmd, const char *se, const char *test,
                      const brisk_model_options *m, bool weighted, bool clustered,
                      bool survey_ordered)
{
    bool wlsmv = m->survey_ordered ? survey_ordered : m->estimator == BRISK_ESTIMATOR_WLSMV;
    bool robust = m->estimator == BRISK_ESTIMATOR_MLR || weighted || clustered;
    if (!m->survey_ordered && brisk_estimator_least_squares(m->estimator)) {
        /* lavaan's defaults for them: se = "standard", test = "standard" */
        const char *name = brisk_estimator_key(m->estimator);
        if (se && strcmp(se, "standard") != 0)
            return cli_usage_error(cmd, "this %s fit's standard errors are lavaan's se = "
                                   "\"standard\" (the inverse of Delta' W Delta), not '%s': "
                                   "brisk computes no other with --estimator %s", name, se,
                                   name);
        if (test && strcmp(test, "standard") != 0)
            return cli_usage_error(cmd, "this %s fit's test is lavaan's test = \"standard\", "
                                   "not '%s': brisk computes no other with --estimator %s",
                                   name, test, name);
        return -1;
    }
    bool mlm = !wlsmv && m->estimator == BRISK_ESTIMATOR_MLM;
    const char *fit_se = wlsmv || mlm ? "robust.sem" : clustered ? "robust.cluster"
                         : robust ? "robust.huber.white" : "standard";
    const char *fit_test = wlsmv ? "scaled.shifted" : mlm ? "satorra.bentler"
                           : robust ? "yuan.bentler.mplus" : "standard";
    const char *why = wlsmv ? "WLSMV" : mlm ? "MLM" : clustered ? "clustered ML"
                      : weighted ? "weighted ML" : robust ? "MLR" : "ML";
    if (se && strcmp(se, "bootstrap") != 0 && strcmp(se, fit_se) != 0 &&
        !((wlsmv || mlm) && strcmp(se, "robust") == 0)) {
        if (strcmp(se, "robust") == 0 || strcmp(se, "robust.sem") == 0)
            return cli_usage_error(cmd, "--se %s is lavaan's robust.sem, the standard errors "
                                   "of --estimator mlm (with the Satorra-Bentler scaled test); "
                                   "--estimator mlr gives Huber-White standard errors "
                                   "(robust.huber.white) with the Yuan-Bentler scaled test", se);
        return cli_usage_error(cmd, "this %s fit's standard errors are lavaan's se = \"%s\", "
                               "not '%s': brisk computes standard (ML), robust.huber.white "
                               "(--estimator mlr, or a sampling weight), robust.cluster (a "
                               "cluster), robust.sem (--estimator mlm or wlsmv) and bootstrap "
                               "(--bootstrap N)", why, fit_se, se);
    }
    if (test && strcmp(test, fit_test) != 0)
        return cli_usage_error(cmd, "this %s fit's test is lavaan's test = \"%s\", not '%s': "
                               "brisk computes standard (ML), yuan.bentler.mplus (--estimator "
                               "mlr, a sampling weight or a cluster), satorra.bentler "
                               "(--estimator mlm) and scaled.shifted (--estimator wlsmv); "
                               "yuan.bentler, mean.var.adjusted and bollen.stine are not in "
                               "brisk", why, fit_test, test);
    return -1;
}

int cli_check_se_test_survey(const cli_command *cmd, const char *arg, const char *se,
                             const char *test, const brisk_model_options *m)
{
    if (!se && !test)
        return -1;
    brisk_error err;
    brisk_error_clear(&err);
    brisk_survey *s = NULL;
    char *path = cli_find_survey(arg, &err);
    if (!path || brisk_survey_load(path, &s, &err) != BRISK_OK) {
        free(path);
        return cli_fail(&err);
    }
    int status = cli_check_se_test(cmd, se, test, m,
                                   m->weight || m->unweighted ? m->weight : s->weight,
                                   m->cluster || m->unclustered ? m->cluster : s->cluster,
                                   s->ordered || s->nordered);
    brisk_survey_free(s);
    free(path);
    return status;
}

void cli_bootstrap_defaults(brisk_bootstrap_options *opt, size_t draws)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    opt->draws = draws;
    opt->seed = 1;
    opt->threads = cores < 1 ? 1 : cores > 256 ? 256 : (unsigned)cores;
}

int cli_bootstrap_option(const cli_command *cmd, int which, const char *arg,
                         brisk_bootstrap_options *opt)
{
    unsigned long long v;
    switch (which) {
    case 0:
        if (!cli_parse_count(arg, 2, 10000000, &v))
            return cli_usage_error(cmd, "--bootstrap takes a number of draws from 2 to "
                                   "10000000, not '%s'", arg);
        opt->draws = (size_t)v;
        return -1;
    case 1:
        if (strcmp(arg, "perc") == 0)
            opt->ci = BRISK_CI_PERCENTILE;
        else if (strcmp(arg, "bca") == 0)
            opt->ci = BRISK_CI_BCA;
        else
            return cli_usage_error(cmd, "--ci takes perc or bca, not '%s'", arg);
        return -1;
    case 2:
        if (!cli_parse_count(arg, 0, UINT64_MAX, &v))
            return cli_usage_error(cmd, "--seed takes a whole number, not '%s'", arg);
        opt->seed = v;
        return -1;
    default:
        if (!cli_parse_count(arg, 1, 256, &v))
            return cli_usage_error(cmd, "--threads takes a number from 1 to 256, not '%s'", arg);
        opt->threads = (unsigned)v;
        return -1;
    }
}

/* A bar that redraws only when the percentage changes. */
typedef struct progress_bar {
    const char *what;
    int shown;
} progress_bar;

static void draw_progress(size_t done, size_t total, void *ctx)
{
    progress_bar *bar = ctx;
    int pct = total ? (int)(100 * done / total) : 100;
    if (pct == bar->shown)
        return;
    bar->shown = pct;
    int filled = pct * 30 / 100;
    fprintf(stderr, "\r%s [%.*s%*s] %3d%% (%zu/%zu)", bar->what, filled,
            "##############################", 30 - filled, "", pct, done, total);
    fflush(stderr);
}

cli_progress_fn cli_progress(const cli_common *c, const char *what, void **ctx)
{
    static progress_bar bar;   /* one bar per process, drawn from one thread */
    *ctx = NULL;
    if (c->quiet || !isatty(STDERR_FILENO))
        return NULL;
    bar = (progress_bar){.what = what, .shown = -1};
    *ctx = &bar;
    return draw_progress;
}

void cli_progress_end(void *ctx)
{
    progress_bar *bar = ctx;
    if (bar && bar->shown >= 0)
        fputc('\n', stderr);
    if (bar)
        bar->shown = -1;
}

/* ------------------------------------------------------------ data files out */

static const char *const data_extensions[] = {".csv", ".tsv", ".xlsx", ".sav", ".dta"};

static int data_extension(const char *path)
{
    for (size_t k = 0; k < sizeof data_extensions / sizeof data_extensions[0]; k++)
        if (ends_with(path, data_extensions[k]))
            return (int)k;
    return -1;
}

bool cli_data_output_supported(const char *path)
{
    return data_extension(path) >= 0;
}

static void data_notice(void *ctx, const char *variable, const char *message)
{
    (void)variable;
    if (*(const bool *)ctx)
        return;
    fprintf(stderr, "%s: warning: ", cli_prefix());
    cli_print_clean(stderr, message);
    fputc('\n', stderr);
}

brisk_status cli_write_dataset(const char *path, const brisk_dataset *ds, bool quiet,
                               brisk_error *err)
{
    int kind = data_extension(path);
    brisk_output out = {0};
    brisk_status st = kind == 2 ? brisk_output_open_path(&out, path, err)
                                : brisk_output_open(&out, path, err);
    if (st == BRISK_OK && kind == 2)
        st = brisk_write_dataset_xlsx(out.temp, ds, false, err);
    else if (st == BRISK_OK && kind >= 3)
        st = brisk_write_dataset_stat(out.stream, ds,
                                      kind == 3 ? BRISK_FORMAT_SAV : BRISK_FORMAT_DTA,
                                      data_notice, &quiet, err);
    else if (st == BRISK_OK)
        st = brisk_write_dataset_csv(out.stream, ds, kind == 1 ? '\t' : ',', false, err);
    if (st == BRISK_OK)
        return brisk_output_commit(&out, err);
    brisk_error_at(err, path, 0, 0);   /* the file asked for, not the temporary one */
    brisk_output_abort(&out);
    return st;
}
