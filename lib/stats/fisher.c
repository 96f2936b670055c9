/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fisher's exact test for an r x c table (see fisher.h).
 *
 * The probability of a table n with row totals R, column totals C and
 * total N, given its margins, is prod R_i! prod C_j! / (N! prod n_ij!):
 * log P = logk + s with s = -sum log n_ij!.  The tables are filled a
 * column at a time (Mehta and Patel's network), the shorter side's totals
 * being the rows a column is split among, the longer side's the columns,
 * ascending.  A node is a column j with what each row has left for the
 * columns j.. (rem; with three rows or more sorted, the rows being
 * exchangeable from there on); a path is a way of filling the columns
 * before j, with its s.
 *
 * The columns left bound what they can add to s: from above as even a
 * split as the totals allow (-log k! is concave), from below as uneven a
 * one, either relaxing the row or the column totals, the tighter kept;
 * with two rows the exact bounds, tabulated by dynamic programming.  A
 * path whose every completion is no more probable than the observed table
 * is added at once from the closed-form total of its completions, sum
 * prod 1/n_ij! = N'! / (prod R'_i! prod C'_j!); one whose every
 * completion is more probable is dropped; the others go on to the next
 * column.  Paths reaching the same node with s within PATH_MERGE of each
 * other are merged, their probabilities summed exactly (FEXACT merges
 * within 3.45e-7 and keeps a count, which makes its p approximate): a
 * table is then counted or not as the merged path's first s says, which
 * can differ from its own only when its log-probability is within
 * PATH_MERGE of the threshold.
 *
 * Near the end the columns left are few and the paths many: at one column
 * (meet) each node's completions are enumerated once, their s sorted with
 * the cumulative sums of their probabilities, so that a path costs a
 * step along that list.  A column holds at most MAX_PATHS paths; once the
 * next is full the others go on depth first, one path at a time, with
 * the same bounds and lists.  Memory: at most about 100 MB, for the
 * largest tables the work bound allows. */
#include <config.h>
#include <float.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/rng.h"
#include "fisher.h"

/* The most nodes the two-row bounds are tabulated for, and the most steps
 * to tabulate them; the most
 * completions a node's list at the meeting column may hold, and all lists
 * together; the most paths a column may hold; how close two paths' s must
 * be to merge. */
#define TWO_ROW_CELLS 2097152.0
#define TWO_ROW_WORK 2e7
#define MEET_PER_NODE 32768.0
#define MEET_POOL ((size_t)1 << 20)
#define MAX_PATHS ((size_t)1 << 20)
#define PATH_MERGE 1e-9

/* A path (or merged paths) to a node: the first s, and the sum of exp(s_i
 * - s) over the paths merged. */
typedef struct path {
    size_t node;
    double s, w;
} path;

/* The paths reaching a column's nodes, and the nodes (count x r keys,
 * hashed: slot[] holds node + 1, 0 when empty; 2 cap slots). */
typedef struct column_paths {
    path *p;
    size_t count, cap;
    long *key;
    size_t nodes, node_cap;
    size_t *slot;
} column_paths;

/* The nodes at the meeting column, found as those of column_paths; per
 * node its list in the pool, s ascending with cum[k] the sum of
 * exp(s[i] - s[last]) over i <= k. */
typedef struct fisher_meet {
    size_t column;                  /* SIZE_MAX: none */
    column_paths nodes;
    size_t *start, *len;            /* per node; len 0: not built */
    double *s, *cum;
    size_t used, cap;
    bool full;                      /* the pool is: no more lists */
} fisher_meet;

/* What a split of a column leads to: the daughter node's paths in the
 * next column, the rest of a path depth first, or a completion listed. */
typedef enum split_mode { SPLIT_PATHS, SPLIT_DEPTH, SPLIT_LIST } split_mode;

typedef struct fisher_walk {
    size_t r, c;            /* rows (the shorter side), columns */
    const long *col;        /* column totals, ascending */
    const long *col_n;      /* col_n[j]: sum of col[j..c) */
    const double *col_lf;   /* col_lf[j]: sum of log col[k]! over k in [j, c) */
    long *rem;              /* the node's totals left, changed as a column is split */
    long *sorted;           /* scratch: rem ascending */
    const double *lf;       /* lf[k] = log k! */
    double logk;            /* log prod R_i! prod C_j! / N! */
    double thr;             /* a table counts when its s is at most thr */
    double sum, carry;      /* the p-value so far (Neumaier's compensated sum) */
    unsigned long long visits, max_visits;
    brisk_status failed;    /* why the walk stopped: BRISK_ERR_LIMIT or _NOMEM */
    /* Two rows: the exact bounds, hi2[j * width + a] and lo2[...] for the
     * node at column j with a left in row 0 (NULL: the relaxed bounds) */
    double *hi2, *lo2;
    size_t width;
    split_mode mode;
    double depth_w;         /* depth first: the path's w */
    column_paths now, next;
    bool next_full;         /* the next column holds MAX_PATHS: depth first */
    const path *group;      /* the node's paths being split, s ascending */
    size_t ngroup;
    double *prefix;         /* prefix[k]: sum of w exp(s - s[last]) over group[..k] */
    size_t prefix_cap;
    fisher_meet meet;
} fisher_walk;

static void add(fisher_walk *w, double x)
{
    double t = w->sum + x;
    w->carry += fabs(w->sum) >= fabs(x) ? (w->sum - t) + x : (x - t) + w->sum;
    w->sum = t;
}

/* One step of work; false (and failed) past the bound. */
static bool step(fisher_walk *w, unsigned long long n)
{
    w->visits += n;
    if (w->visits <= w->max_visits)
        return true;
    w->failed = BRISK_ERR_LIMIT;
    return false;
}

/* ------------------------------------------------------------ bounds ---- */

/* The largest sum of -log x_i! over x_i <= cap[i] (ascending) summing to
 * t: the most even split, filling the smallest caps first. */
static double most_even(const long *cap, size_t m, long t, const double *lf)
{
    double v = 0;
    for (size_t i = 0; i < m; i++) {
        long left = (long)(m - i), q = t / left;
        if (cap[i] > q) {                     /* every cap left exceeds q */
            long extra = t % left;
            return v - (double)extra * lf[q + 1] - (double)(left - extra) * lf[q];
        }
        v -= lf[cap[i]];
        t -= cap[i];
    }
    return v;
}

/* The smallest such sum: the most uneven split, the largest caps first
 * (its vector majorises every other split, and log x! is convex). */
static double most_uneven(const long *cap, size_t m, long t, const double *lf)
{
    double v = 0;
    for (size_t i = m; i-- > 0 && t > 0;) {
        long x = cap[i] < t ? cap[i] : t;
        v -= lf[x];
        t -= x;
    }
    return v;
}

/* Two rows: the largest and smallest s the columns j.. can add with a
 * left in row 0, for every j and a (dynamic programming from the last
 * column back; NaN where no table has that node). */
static void two_row_bounds(fisher_walk *w, long a0)
{
    size_t c = w->c, width = w->width;
    const double *lf = w->lf;
    for (long a = 0; a <= a0; a++) {
        long b = w->col[c - 1] - a;
        double v = b >= 0 ? -lf[a] - lf[b] : NAN;
        w->hi2[(c - 1) * width + (size_t)a] = w->lo2[(c - 1) * width + (size_t)a] = v;
    }
    for (size_t j = c - 1; j-- > 0;) {
        long cj = w->col[j], after = w->col_n[j + 1];
        const double *hi1 = w->hi2 + (j + 1) * width, *lo1 = w->lo2 + (j + 1) * width;
        for (long a = 0; a <= a0; a++) {
            double hi = -INFINITY, lo = INFINITY;
            long from = a > after ? a - after : 0, to = a < cj ? a : cj;
            for (long x = from; x <= to; x++) {
                double v = -lf[x] - lf[cj - x];
                hi = fmax(hi, v + hi1[a - x]);
                lo = fmin(lo, v + lo1[a - x]);
            }
            bool node = from <= to && a <= w->col_n[j];
            w->hi2[j * width + (size_t)a] = node ? hi : NAN;
            w->lo2[j * width + (size_t)a] = node ? lo : NAN;
        }
    }
}

/* The table's cells and the steps to fill it (or more than the limit). */
static double two_row_work(const fisher_walk *w, long a0)
{
    double width = (double)a0 + 1, work = 0;
    for (size_t j = 0; j < w->c; j++)
        work += width * (double)((w->col[j] < a0 ? w->col[j] : a0) + 1);
    return width * (double)w->c > TWO_ROW_CELLS ? INFINITY : work;
}

/* rem ascending into sorted */
static void sort_rem(fisher_walk *w)
{
    for (size_t i = 0; i < w->r; i++) {
        long v = w->rem[i];
        size_t k = i;
        for (; k > 0 && w->sorted[k - 1] > v; k--)
            w->sorted[k] = w->sorted[k - 1];
        w->sorted[k] = v;
    }
}

/* Bounds on the s the columns j.. can add to the node rem (sorted gets
 * rem ascending). */
static void bounds(fisher_walk *w, size_t j, double *hi, double *lo)
{
    sort_rem(w);
    if (w->hi2) {
        *hi = w->hi2[j * w->width + (size_t)w->rem[0]];
        *lo = w->lo2[j * w->width + (size_t)w->rem[0]];
        return;
    }
    size_t r = w->r, m = w->c - j;
    double hi_c = 0, lo_c = 0, hi_r = 0, lo_r = 0;
    for (size_t k = j; k < w->c; k++) {       /* each column on its own */
        hi_c += most_even(w->sorted, r, w->col[k], w->lf);
        lo_c += most_uneven(w->sorted, r, w->col[k], w->lf);
    }
    for (size_t i = 0; i < r; i++) {          /* each row on its own */
        hi_r += most_even(w->col + j, m, w->rem[i], w->lf);
        lo_r += most_uneven(w->col + j, m, w->rem[i], w->lf);
    }
    *hi = fmin(hi_c, hi_r);
    *lo = fmax(lo_c, lo_r);
}

/* ------------------------------------------------------- nodes, paths ---- */

static size_t key_hash(const long *key, size_t r)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < r; i++)
        h = (h ^ (uint64_t)key[i]) * 1099511628211u;
    return (size_t)(h ^ (h >> 29));
}

static size_t node_slot(const column_paths *cp, const long *key, size_t r)
{
    size_t mask = 2 * cp->node_cap - 1, slot = key_hash(key, r) & mask;
    while (cp->slot[slot] && memcmp(cp->key + (cp->slot[slot] - 1) * r, key, r * sizeof *key))
        slot = (slot + 1) & mask;
    return slot;
}

/* Room for twice the nodes, rehashed. */
static bool grow_nodes(column_paths *cp, size_t r)
{
    size_t cap = cp->node_cap ? 2 * cp->node_cap : 256;
    long *key = realloc(cp->key, cap * r * sizeof *key);
    if (key)
        cp->key = key;
    size_t *slot = key ? calloc(2 * cap, sizeof *slot) : NULL;
    if (!slot)
        return false;
    free(cp->slot);
    cp->slot = slot;
    cp->node_cap = cap;
    for (size_t k = 0; k < cp->nodes; k++)
        slot[node_slot(cp, cp->key + k * r, r)] = k + 1;
    return true;
}

/* The node key's index, added if new; SIZE_MAX when out of memory. */
static size_t node_index(column_paths *cp, const long *key, size_t r)
{
    if (cp->nodes == cp->node_cap && !grow_nodes(cp, r))
        return SIZE_MAX;
    size_t slot = node_slot(cp, key, r);
    if (!cp->slot[slot]) {
        memcpy(cp->key + cp->nodes * r, key, r * sizeof *key);
        cp->slot[slot] = ++cp->nodes;
    }
    return cp->slot[slot] - 1;
}

static void clear_nodes(column_paths *cp)
{
    cp->count = 0;
    cp->nodes = 0;
    if (cp->slot)
        memset(cp->slot, 0, 2 * cp->node_cap * sizeof *cp->slot);
}

static int compare_paths(const void *a, const void *b)
{
    const path *x = a, *y = b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return (x->s > y->s) - (x->s < y->s);
}

/* The paths sorted by node and s, those of a node within PATH_MERGE of
 * the first of a run merged into it. */
static void merge_paths(column_paths *cp)
{
    qsort(cp->p, cp->count, sizeof *cp->p, compare_paths);
    size_t o = 0;
    for (size_t k = 0; k < cp->count; k++) {
        path *last = o ? &cp->p[o - 1] : NULL;
        if (last && last->node == cp->p[k].node && cp->p[k].s - last->s <= PATH_MERGE)
            last->w += cp->p[k].w * exp(cp->p[k].s - last->s);
        else
            cp->p[o++] = cp->p[k];
    }
    cp->count = o;
}

/* A path into cp; false when out of memory (failed) or when cp holds
 * MAX_PATHS after merging. */
static bool push_path(fisher_walk *w, column_paths *cp, size_t node, double s, double wt)
{
    if (cp->count == cp->cap) {
        if (cp->cap)
            merge_paths(cp);
        if (!cp->cap || cp->count > cp->cap / 2) {
            size_t cap = cp->cap ? 2 * cp->cap : 1024;
            if (cap > MAX_PATHS)
                return false;
            path *p = realloc(cp->p, cap * sizeof *p);
            if (!p) {
                w->failed = BRISK_ERR_NOMEM;
                return false;
            }
            cp->p = p;
            cp->cap = cap;
        }
    }
    cp->p[cp->count++] = (path){node, s, wt};
    return true;
}

static void free_paths(column_paths *cp)
{
    free(cp->p);
    free(cp->key);
    free(cp->slot);
}

/* -------------------------------------------------------------- walk ---- */

/* How many of the group's paths have s <= x. */
static size_t paths_upto(const fisher_walk *w, double x)
{
    size_t lo = 0, hi = w->ngroup;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->group[mid].s <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool depth_first(fisher_walk *w, size_t j, double s);

/* The group's paths extended by a split of column j - 1 adding g to s,
 * now at the node rem of column j: added, dropped or passed on (depth
 * first once the next column is full). */
static bool daughter(fisher_walk *w, size_t j, double g)
{
    if (!step(w, 1))
        return false;
    double total = w->lf[w->col_n[j]] - w->col_lf[j], hi, lo;
    for (size_t i = 0; i < w->r; i++)
        total -= w->lf[w->rem[i]];
    if (j + 1 == w->c)                        /* the last column: what is left */
        hi = lo = total;
    else
        bounds(w, j, &hi, &lo);
    size_t all = paths_upto(w, w->thr - g - hi), some = paths_upto(w, w->thr - g - lo);
    if (all > 0)
        add(w, exp(w->logk + g + total + w->group[w->ngroup - 1].s) * w->prefix[all - 1]);
    if (some == all)
        return true;
    size_t k = all;
    if (!w->next_full) {
        size_t node = node_index(&w->next, w->r == 2 ? w->rem : w->sorted, w->r);
        if (node == SIZE_MAX) {
            w->failed = BRISK_ERR_NOMEM;
            return false;
        }
        for (; k < some && !w->next_full; k++)
            w->next_full = !push_path(w, &w->next, node, w->group[k].s + g, w->group[k].w);
        if (w->failed)
            return false;
        k -= w->next_full;
        if (!step(w, k - all))
            return false;
    }
    for (; k < some; k++) {
        w->depth_w = w->group[k].w;
        w->mode = SPLIT_DEPTH;
        bool ok = depth_first(w, j, w->group[k].s + g);
        w->mode = SPLIT_PATHS;
        if (!ok)
            return false;
    }
    return true;
}

static bool collect_column(fisher_walk *w, size_t j, double s);

/* Every split among rows i.. of what is left of column j's total (left),
 * room being what rows i + 1.. have left; g the s the split adds so far. */
static bool split(fisher_walk *w, size_t j, size_t i, long left, long room, double g)
{
    long *rem = w->rem;
    if (i + 1 == w->r) {
        rem[i] -= left;
        double to = g - w->lf[left];
        bool ok = w->mode == SPLIT_PATHS ? daughter(w, j + 1, to)
                  : w->mode == SPLIT_DEPTH ? depth_first(w, j + 1, to)
                                           : collect_column(w, j + 1, to);
        rem[i] += left;
        return ok;
    }
    long lo = left > room ? left - room : 0, hi = rem[i] < left ? rem[i] : left;
    long next_room = room - rem[i + 1];
    for (long x = lo; x <= hi; x++) {
        rem[i] -= x;
        bool ok = split(w, j, i + 1, left - x, next_room, g - w->lf[x]);
        rem[i] += x;
        if (!ok)
            return false;
    }
    return true;
}

static bool split_column(fisher_walk *w, size_t j, double g)
{
    return split(w, j, 0, w->col[j], w->col_n[j] - w->rem[0], g);
}

/* A completion of the node being listed, at column j with s so far. */
static bool collect_column(fisher_walk *w, size_t j, double s)
{
    if (!step(w, 1))
        return false;
    if (j + 1 < w->c)
        return split_column(w, j, s);
    for (size_t i = 0; i < w->r; i++)
        s -= w->lf[w->rem[i]];
    fisher_meet *m = &w->meet;
    if (m->used == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 4096;
        double *ns = cap <= MEET_POOL ? realloc(m->s, cap * sizeof *ns) : NULL;
        if (ns)
            m->s = ns;
        double *nc = ns ? realloc(m->cum, cap * sizeof *nc) : NULL;
        if (!nc) {                            /* no more lists */
            m->full = true;
            return false;
        }
        m->cum = nc;
        m->cap = cap;
    }
    m->s[m->used++] = s;
    return true;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The list of the node rem at the meeting column j: its index, or
 * SIZE_MAX when it fails (failed says why) or does not fit (full). */
static size_t meet_list(fisher_walk *w, size_t j)
{
    fisher_meet *m = &w->meet;
    sort_rem(w);
    size_t before = m->nodes.node_cap, node = node_index(&m->nodes, w->sorted, w->r);
    if (node == SIZE_MAX) {
        w->failed = BRISK_ERR_NOMEM;
        return SIZE_MAX;
    }
    if (m->nodes.node_cap != before) {
        size_t *start = realloc(m->start, m->nodes.node_cap * sizeof *start);
        if (start)
            m->start = start;
        size_t *len = start ? realloc(m->len, m->nodes.node_cap * sizeof *len) : NULL;
        if (!len) {
            w->failed = BRISK_ERR_NOMEM;
            return SIZE_MAX;
        }
        m->len = len;
        memset(m->len + before, 0, (m->nodes.node_cap - before) * sizeof *len);
    }
    if (m->len[node])
        return node;
    size_t start = m->used;
    split_mode mode = w->mode;
    w->mode = SPLIT_LIST;
    bool ok = split_column(w, j, 0);
    w->mode = mode;
    if (!ok) {
        m->used = start;
        return SIZE_MAX;
    }
    size_t len = m->used - start;
    double *s = m->s + start, *cum = m->cum + start, top, total = 0;
    qsort(s, len, sizeof *s, compare_doubles);
    top = s[len - 1];
    for (size_t k = 0; k < len; k++)
        cum[k] = total += exp(s[k] - top);
    m->start[node] = start;
    m->len[node] = len;
    return node;
}

/* The group's paths at the meeting column j, each against the node's
 * list (as s rises, fewer completions count). */
static bool meet(fisher_walk *w, size_t j)
{
    size_t node = meet_list(w, j);
    if (node == SIZE_MAX)
        return w->meet.full && !w->failed ? split_column(w, j, 0) : false;
    const double *s = w->meet.s + w->meet.start[node], *cum = w->meet.cum + w->meet.start[node];
    size_t n = w->meet.len[node];
    for (size_t k = 0; k < w->ngroup; k++) {
        const path *pk = &w->group[k];
        while (n > 0 && pk->s + s[n - 1] > w->thr)
            n--;
        if (n == 0)
            break;
        add(w, pk->w * exp(w->logk + pk->s + s[w->meet.len[node] - 1]) * cum[n - 1]);
    }
    return step(w, w->ngroup);
}

/* One path, with w depth_w, at the node rem of column j, depth first. */
static bool depth_first(fisher_walk *w, size_t j, double s)
{
    if (!step(w, 1))
        return false;
    double total = w->lf[w->col_n[j]] - w->col_lf[j], hi, lo;
    for (size_t i = 0; i < w->r; i++)
        total -= w->lf[w->rem[i]];
    if (j + 1 == w->c)
        hi = lo = total;
    else
        bounds(w, j, &hi, &lo);
    if (s + lo > w->thr)
        return true;
    if (s + hi <= w->thr) {
        add(w, w->depth_w * exp(w->logk + s + total));
        return true;
    }
    if (j == w->meet.column && !w->meet.full) {
        size_t node = meet_list(w, j);
        if (node != SIZE_MAX) {
            const double *list = w->meet.s + w->meet.start[node];
            size_t lo_k = 0, hi_k = w->meet.len[node];    /* how many are <= thr - s */
            while (lo_k < hi_k) {
                size_t mid = lo_k + (hi_k - lo_k) / 2;
                if (s + list[mid] <= w->thr)
                    lo_k = mid + 1;
                else
                    hi_k = mid;
            }
            if (lo_k > 0)
                add(w, w->depth_w * exp(w->logk + s + list[w->meet.len[node] - 1]) *
                           w->meet.cum[w->meet.start[node] + lo_k - 1]);
            return true;
        }
        if (w->failed)
            return false;
    }
    return split_column(w, j, s);
}

/* Column j's paths, node by node. */
static bool walk_column(fisher_walk *w, size_t j)
{
    column_paths *now = &w->now;
    merge_paths(now);
    if (now->count > w->prefix_cap) {
        double *prefix = realloc(w->prefix, now->count * sizeof *prefix);
        if (!prefix) {
            w->failed = BRISK_ERR_NOMEM;
            return false;
        }
        w->prefix = prefix;
        w->prefix_cap = now->count;
    }
    for (size_t b = 0, e; b < now->count; b = e) {
        for (e = b + 1; e < now->count && now->p[e].node == now->p[b].node;)
            e++;
        w->group = now->p + b;
        w->ngroup = e - b;
        double top = now->p[e - 1].s, total = 0;
        for (size_t k = b; k < e; k++)
            w->prefix[k - b] = total += now->p[k].w * exp(now->p[k].s - top);
        memcpy(w->rem, now->key + now->p[b].node * w->r, w->r * sizeof *w->rem);
        bool listed = j == w->meet.column && !w->meet.full;
        if (!(listed ? meet(w, j) : split_column(w, j, 0)))
            return false;
    }
    return true;
}

/* Every table, column by column, from the one path to the first node. */
static bool walk(fisher_walk *w)
{
    size_t node = node_index(&w->now, w->rem, w->r);
    if (node == SIZE_MAX || !push_path(w, &w->now, node, 0, 1)) {
        w->failed = BRISK_ERR_NOMEM;
        return false;
    }
    for (size_t j = 0; j + 1 < w->c && w->now.count > 0; j++) {
        clear_nodes(&w->next);
        w->next_full = false;
        if (!walk_column(w, j))
            return false;
        column_paths t = w->now;
        w->now = w->next;
        w->next = t;
    }
    return true;
}

/* ------------------------------------------------------------- setup ---- */

/* The meeting column: the first whose nodes have at most MEET_PER_NODE
 * completions (bounded by the compositions of each column's total into r
 * parts); SIZE_MAX when only the last has. */
static size_t meet_column(const long *col, size_t r, size_t c)
{
    size_t m = c - 1;
    double b = 1;
    while (m > 0) {
        double parts = 1;                     /* C(col + r - 1, r - 1) */
        for (size_t i = 1; i < r; i++)
            parts *= (double)(col[m - 1] + (long)i) / (double)i;
        b *= parts;
        if (b > MEET_PER_NODE)
            break;
        m--;
    }
    return m + 1 < c ? m : SIZE_MAX;
}

static brisk_status out_of_memory(brisk_error *err)
{
    return brisk_error_set(err, BRISK_ERR_NOMEM, "Fisher's exact test: out of memory");
}

/* The walk from row totals part[0..r) (w set up but for rem and the
 * bounds), its p into w->sum. */
static brisk_status run(fisher_walk *w, long *part, brisk_error *err)
{
    size_t r = w->r, c = w->c;
    if (r == 2 && part[0] > part[1]) {        /* row 0 the smaller */
        long t = part[0];
        part[0] = part[1];
        part[1] = t;
    }
    memcpy(w->rem, part, r * sizeof *part);
    if (r > 2) {                              /* nodes' keys sorted */
        sort_rem(w);
        memcpy(w->rem, w->sorted, r * sizeof *part);
    }
    if (r == 2 && two_row_work(w, part[0]) <= TWO_ROW_WORK) {
        w->width = (size_t)part[0] + 1;
        w->hi2 = malloc(2 * c * w->width * sizeof *w->hi2);
        if (!w->hi2)
            return out_of_memory(err);
        w->lo2 = w->hi2 + c * w->width;
        two_row_bounds(w, part[0]);
    }
    w->meet.column = meet_column(w->col, r, c);
    brisk_status st = BRISK_OK;
    if (!walk(w))
        st = w->failed == BRISK_ERR_NOMEM
                 ? out_of_memory(err)
                 : brisk_error_set(err, BRISK_ERR_LIMIT, "Fisher's exact test: the table "
                                   "(%zu x %zu non-empty, n = %ld) is too large for the "
                                   "exact test", r, c, w->col_n[0]);
    free(w->hi2);
    free(w->prefix);
    free_paths(&w->now);
    free_paths(&w->next);
    free_paths(&w->meet.nodes);
    free(w->meet.start);
    free(w->meet.len);
    free(w->meet.s);
    free(w->meet.cum);
    return st;
}

static int compare_longs(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The non-zero entries of v[0..n) moved to its front; their number. */
static size_t keep_nonzero(long *v, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] > 0)
            v[m++] = v[i];
    return m;
}

/* Row and column totals (zeroed) of the table, and its total. */
static brisk_status margins(const double *counts, size_t rows, size_t cols, long *rowsum,
                            long *colsum, long *n, brisk_error *err)
{
    double total = 0;
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) {
            double v = counts[i * cols + j];
            if (!(v >= 0) || !isfinite(v) || v != floor(v))
                return brisk_error_set(err, BRISK_ERR_VALUE, "Fisher's exact test: the count "
                                       "in row %zu, column %zu is %g, not a non-negative "
                                       "whole number", i + 1, j + 1, v);
            total += v;
            if (total > (double)BRISK_FISHER_MAX_TOTAL)
                return brisk_error_set(err, BRISK_ERR_LIMIT, "Fisher's exact test: the table "
                                       "holds more than %ld counts, too many for the exact "
                                       "test", BRISK_FISHER_MAX_TOTAL);
            rowsum[i] += (long)v;
            colsum[j] += (long)v;
        }
    *n = (long)total;
    return BRISK_OK;
}

/* The test on the non-empty margins: the shorter side's totals are the
 * rows, the longer side's (ascending) the columns. */
static brisk_status exact(const double *counts, size_t ncells, long *rowsum, size_t nr,
                          long *colsum, size_t nc, long n, double tol,
                          unsigned long long max_work, double *p, brisk_error *err)
{
    long *part = nr <= nc ? rowsum : colsum, *whole = nr <= nc ? colsum : rowsum;
    size_t r = nr <= nc ? nr : nc, c = nr <= nc ? nc : nr;
    qsort(whole, c, sizeof *whole, compare_longs);
    double *lf = malloc(((size_t)n + 1 + c + 1) * sizeof *lf);
    long *col_n = malloc((c + 1 + 2 * r) * sizeof *col_n);
    if (!lf || !col_n) {
        free(lf);
        free(col_n);
        return out_of_memory(err);
    }
    double *col_lf = lf + n + 1;
    for (long k = 0; k <= n; k++)
        lf[k] = gsl_sf_lnfact((unsigned int)k);
    col_n[c] = 0;
    col_lf[c] = 0;
    for (size_t k = c; k-- > 0;) {
        col_n[k] = col_n[k + 1] + whole[k];
        col_lf[k] = col_lf[k + 1] + lf[whole[k]];
    }
    double logk = col_lf[0] - lf[n], s_obs = 0;
    for (size_t i = 0; i < r; i++)
        logk += lf[part[i]];
    for (size_t k = 0; k < ncells; k++)
        s_obs -= lf[(long)counts[k]];
    fisher_walk w = {
        .r = r, .c = c, .col = whole, .col_n = col_n, .col_lf = col_lf, .rem = col_n + c + 1,
        .sorted = col_n + c + 1 + r, .lf = lf, .logk = logk, .thr = s_obs + tol,
        .max_visits = max_work,
    };
    brisk_status st = run(&w, part, err);
    if (st == BRISK_OK) {
        double sum = w.sum + w.carry;
        *p = sum > 1 ? 1 : sum;
    }
    free(lf);
    free(col_n);
    return st;
}

brisk_status brisk_fisher_exact(const double *counts, size_t rows, size_t cols, double *p,
                                brisk_error *err)
{
    return brisk_fisher_exact_within(counts, rows, cols, BRISK_FISHER_MAX_NODES, p, err);
}

brisk_status brisk_fisher_exact_within(const double *counts, size_t rows, size_t cols,
                                       unsigned long long max_work, double *p, brisk_error *err)
{
    if (p)
        *p = NAN;
    if (!counts || !p)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "Fisher's exact test: no table");
    if (rows < 2 || cols < 2)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "Fisher's exact test: the table is "
                               "%zu x %zu, it needs at least 2 rows and 2 columns", rows, cols);
    long *rowsum = calloc(rows, sizeof *rowsum), *colsum = calloc(cols, sizeof *colsum);
    long n = 0;
    brisk_status st = rowsum && colsum ? margins(counts, rows, cols, rowsum, colsum, &n, err)
                                       : out_of_memory(err);
    if (st != BRISK_OK)
        goto cleanup;
    size_t nr = keep_nonzero(rowsum, rows), nc = keep_nonzero(colsum, cols);
    /* R's tolerance: fisher.test's relErr for a 2 x 2 table, FEXACT's tol
     * (on the log scale) for any other, empty rows and columns included */
    double tol = rows == 2 && cols == 2 ? log1p(1e-7) : 3.45254e-7;
    if (n == 0)
        st = brisk_error_set(err, BRISK_ERR_DATA, "Fisher's exact test: every count is zero");
    else if (nr < 2 || nc < 2)                /* the observed table is the only one */
        *p = 1;
    else if (nr > BRISK_FISHER_MAX_CELLS / nc)
        st = brisk_error_set(err, BRISK_ERR_LIMIT, "Fisher's exact test: %zu x %zu non-empty "
                             "rows and columns are too many for the exact test", nr, nc);
    else
        st = exact(counts, rows * cols, rowsum, nr, colsum, nc, n, tol, max_work, p, err);
cleanup:
    free(rowsum);
    free(colsum);
    return st;
}

/* ------------------------------------------------------------ simulated ---- */

/* -sum log x! of a table: its probability given the margins, up to a
 * constant (fisher.test's STATISTIC). */
static double table_statistic(const double *x, size_t n)
{
    double s = 0;
    for (size_t k = 0; k < n; k++)
        s -= gsl_sf_lnfact((unsigned int)x[k]);
    return s;
}

brisk_status brisk_fisher_simulated(const double *counts, size_t rows, size_t cols, size_t draws,
                                    uint64_t seed, double *p, brisk_error *err)
{
    if (p)
        *p = NAN;
    if (!counts || !p || rows < 2 || cols < 2 || draws == 0)
        return brisk_error_set(err, BRISK_ERR_ARGUMENT, "Fisher's test by simulation: no table");
    long *rowsum = calloc(rows, sizeof *rowsum), *colsum = calloc(cols, sizeof *colsum);
    double *sim = malloc(rows * cols * sizeof *sim);
    long *left = malloc(rows * sizeof *left), n = 0;
    gsl_rng *g = gsl_rng_alloc(brisk_gsl_rng);
    brisk_status st = rowsum && colsum && sim && left && g
                          ? margins(counts, rows, cols, rowsum, colsum, &n, err)
                          : out_of_memory(err);
    if (st == BRISK_OK && n == 0)
        st = brisk_error_set(err, BRISK_ERR_DATA, "Fisher's exact test: every count is zero");
    if (st == BRISK_OK) {
        /* R: a table counts when its STATISTIC <= the observed / almost.1 */
        double observed = table_statistic(counts, rows * cols) / (1 + 64 * DBL_EPSILON);
        size_t extreme = 0;
        for (size_t d = 0; d < draws; d++) {
            gsl_rng_set(g, brisk_rng_stream_seed(seed, d));
            memcpy(left, rowsum, rows * sizeof *left);
            /* each column's counts, row by row, hypergeometric given what
             * the rows have left: a table drawn with both margins fixed */
            for (size_t j = 0; j < cols; j++) {
                long need = colsum[j], rest = 0;
                for (size_t i = 0; i < rows; i++)
                    rest += left[i];
                for (size_t i = 0; i < rows; i++) {
                    rest -= left[i];
                    long x = i + 1 == rows ? need
                                           : (long)gsl_ran_hypergeometric(g, (unsigned)left[i],
                                                                          (unsigned)rest,
                                                                          (unsigned)need);
                    sim[i * cols + j] = (double)x;
                    left[i] -= x;
                    need -= x;
                }
            }
            extreme += table_statistic(sim, rows * cols) <= observed;
        }
        *p = (1.0 + (double)extreme) / ((double)draws + 1.0);
    }
    gsl_rng_free(g);
    free(rowsum), free(colsum), free(sim), free(left);
    return st;
}
