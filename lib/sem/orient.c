/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The orientation of factors whose sign the data cannot tell.
 *
 * A factor scaled by its variance (--std-lv, or NA* on its first loading
 * and a fixed variance) can be reflected: the solution with every loading,
 * regression and covariance of the factor negated fits exactly as well.
 * Which of the two an optimizer returns depends on its path, so brisk
 * settles it after estimation by a documented rule: the factor's first
 * loading (in the parameter table's order, first group) is positive, as
 * lavaan's starting values make it in all but the rare cases where the
 * optimizer crosses zero.  A bootstrap draw instead takes the orientation
 * that agrees best with the full-sample estimates, so that draws never
 * flip among themselves. */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sem_fit.h"

#define ALL_GROUPS ((size_t)-1)

/* Does row r involve latent variable lv of group g (ALL_GROUPS: of any)
 * exactly once (a loading on it or of it, a regression to or from it, a
 * covariance with another variable, its mean)?  Those are the rows a
 * reflection negates. */
static bool involves_once(const brisk_model *m, size_t r, int lv, size_t g)
{
    const sem_pos *pos = &m->pos[r];
    if (g != ALL_GROUPS && m->params[r].group != g)
        return false;
    switch (m->params[r].op) {
    case BRISK_OP_MEASURE:
    case BRISK_OP_REGRESS:
    case BRISK_OP_COVARY:
        return (pos->row == lv) != (pos->col == lv);
    case BRISK_OP_INTERCEPT:
        return pos->row == lv;
    default:
        return false;
    }
}

/* Whether lv can be reflected: no row that the reflection negates is fixed
 * at a value other than 0, and no free parameter is shared between a row
 * it negates and one it does not (labels, equality across groups).
 * flip[k] marks the free parameters it negates. */
static bool reflectable(const brisk_model *m, int lv, size_t g, bool *flip)
{
    memset(flip, 0, m->nfree * sizeof *flip);
    for (size_t r = 0; r < m->nparams; r++) {
        if (!involves_once(m, r, lv, g))
            continue;
        const brisk_param *p = &m->params[r];
        if (!p->free && p->start != 0)
            return false;   /* a fixed loading sets the sign */
        if (p->free)
            flip[p->free - 1] = true;
    }
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *p = &m->params[r];
        if (p->free && p->op != BRISK_OP_DEFINE && flip[p->free - 1] &&
            !involves_once(m, r, lv, g))
            return false;
    }
    return true;
}

/* The first loading on lv in group g (ALL_GROUPS: the first group), or
 * NAN. */
static double first_loading(const brisk_model *m, int lv, size_t g, const double *theta)
{
    for (size_t r = 0; r < m->nparams; r++) {
        const brisk_param *p = &m->params[r];
        if (p->op == BRISK_OP_MEASURE && p->group == (g == ALL_GROUPS ? 0 : g) &&
            m->pos[r].col == lv)
            return p->free ? theta[p->free - 1] : p->start;
    }
    return NAN;
}

/* Reflect lv of group g (ALL_GROUPS: of every group at once) when it can
 * be reflected and its orientation disagrees with the rule; returns
 * whether it was reflected, and in *possible whether it could be. */
static bool orient_one(const brisk_model *m, int lv, size_t g, double *theta, const double *like,
                       bool *flip, bool *possible)
{
    if (!(*possible = reflectable(m, lv, g, flip)))
        return false;
    double agreement = 0;
    if (like) {
        for (size_t k = 0; k < m->nfree; k++)
            agreement += flip[k] ? theta[k] * like[k] : 0;
    } else {
        agreement = first_loading(m, lv, g, theta);
    }
    if (!(agreement < 0))
        return false;
    for (size_t k = 0; k < m->nfree; k++)
        if (flip[k])
            theta[k] = -theta[k];
    return true;
}

bool brisk_sem_orient(const brisk_model *m, double *theta, const double *like)
{
    bool *flip = malloc((m->nfree ? m->nfree : 1) * sizeof *flip), any = false, possible;
    for (size_t f = 0; flip && f < m->m; f++) {
        int lv = (int)(m->p + f);
        /* each group's factor on its own, unless groups share its parameters */
        bool each = m->ngroups > 1;
        for (size_t g = 0; each && g < m->ngroups; g++) {
            any |= orient_one(m, lv, g, theta, like, flip, &possible);
            each = possible;
        }
        if (!each)
            any |= orient_one(m, lv, ALL_GROUPS, theta, like, flip, &possible);
    }
    free(flip);
    return any;
}
