/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — benefit–risk–trust kit: the umbrella header of libbrisk. */
#ifndef BRISK_H
#define BRISK_H

#include "brisk/version.h"
#include "brisk/error.h"
#include "brisk/io.h"
#include "brisk/dataset.h"
#include "brisk/expr.h"
#include "brisk/table.h"
#include "brisk/syntax.h"
#include "brisk/model.h"
#include "brisk/predict.h"
#include "brisk/survey.h"
#include "brisk/stats.h"
#include "brisk/sim.h"
#include "brisk/regress.h"
#include "brisk/analysis.h"
#include "brisk/report.h"
#include "brisk/qual.h"

#endif
