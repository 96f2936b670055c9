# SPDX-License-Identifier: GPL-3.0-or-later
# Random expressions of brisk's expression language (--where, filter =,
# [scores]; lib/data/expr.c), written by a seeded grammar that nobody
# tuned to brisk, evaluated by R on the same rows: tests/unit/test_expr.c
# checks that brisk gives R's value, row by row.
#
#   Rscript tests/reference/expr/make.R     (from the top of the tree)
#
# Writes data.csv (the rows) and cases.tsv (an expression, a tab, its
# value in each row: NA when missing, conditions as 1/0).
#
# What brisk defines where R gives a non-finite number, the R side writes
# the same way: a logarithm of x <= 0, a square root of x < 0 and a
# division by 0 are missing (R: -Inf, NaN, Inf), and a result that is not
# finite is missing.  mean(...)/sum(...) of all answers is rowMeans/
# rowSums of the columns; mean.N/sum.N want N answers, as SPSS's MEAN.N.
set.seed(20261207)
n <- 40
pick <- function(v, k = n) sample(v, k, replace = TRUE)
data <- data.frame(
    id = seq_len(n),
    x1 = pick(c(1:5, NA)),
    x2 = pick(c(1:5, NA, NA)),
    x3 = pick(c(0, 1, 2, 2.5, -1, NA)),
    x4 = pick(c(1:7)),
    g = pick(c("a", "b", "c", NA)),
    stringsAsFactors = FALSE)
write.csv(data, "tests/reference/expr/data.csv", row.names = FALSE, na = "")

num_cols <- c("x1", "x2", "x3", "x4")

# An expression node: brisk's text and R's text.
node <- function(b, r) list(b = b, r = r)
paren <- function(e) node(paste0("(", e$b, ")"), paste0("(", e$r, ")"))

number <- function() {
    v <- sample(c(0, 1, 2, 3, 0.5, 1.5, 10), 1)
    node(format(v), format(v))
}

numeric_expr <- function(depth) {
    if (depth <= 0 || runif(1) < 0.25) {
        if (runif(1) < 0.7) { c <- sample(num_cols, 1); return(node(c, c)) }
        return(number())
    }
    kind <- sample(c("add", "sub", "mul", "div", "pow", "neg", "abs", "sqrt", "log",
                     "log10", "exp", "agg", "aggN", "minmax"), 1)
    a <- numeric_expr(depth - 1)
    switch(kind,
        add = { b <- numeric_expr(depth - 1); node(paste(a$b, "+", b$b), paste(a$r, "+", b$r)) },
        sub = { b <- paren(numeric_expr(depth - 1)); node(paste(a$b, "-", b$b), paste(a$r, "-", b$r)) },
        mul = { a <- paren(a); b <- paren(numeric_expr(depth - 1))
                node(paste(a$b, "*", b$b), paste(a$r, "*", b$r)) },
        div = { a <- paren(a); b <- paren(numeric_expr(depth - 1))
                node(paste(a$b, "/", b$b), paste0("bdiv(", a$r, ", ", b$r, ")")) },
        pow = { k <- sample(c("2", "0", "0.5", "3"), 1); a <- paren(a)
                node(paste0(a$b, "^", k), paste0(a$r, "^", k)) },
        neg = { a <- paren(a); node(paste0("-", a$b), paste0("-", a$r)) },
        abs = node(paste0("abs(", a$b, ")"), paste0("abs(", a$r, ")")),
        sqrt = node(paste0("sqrt(", a$b, ")"), paste0("bsqrt(", a$r, ")")),
        log = node(paste0("log(", a$b, ")"), paste0("blog(", a$r, ")")),
        log10 = node(paste0("log10(", a$b, ")"), paste0("blog10(", a$r, ")")),
        exp = node(paste0("exp(", a$b, ")"), paste0("exp(", a$r, ")")),
        agg = , aggN = , minmax = {
            k <- sample(2:4, 1)
            args <- c(list(a), lapply(seq_len(k - 1), function(i) numeric_expr(depth - 1)))
            bs <- paste(sapply(args, `[[`, "b"), collapse = ", ")
            rs <- paste(sapply(args, `[[`, "r"), collapse = ", ")
            if (kind == "minmax") {
                f <- sample(c("min", "max"), 1)
                node(paste0(f, "(", bs, ")"), paste0("p", f, "(", rs, ")"))
            } else {
                f <- sample(c("mean", "sum"), 1)
                need <- if (kind == "aggN") sample(1:k, 1) else k
                suffix <- if (kind == "aggN") paste0(".", need) else ""
                node(paste0(f, suffix, "(", bs, ")"),
                     paste0("agg(", if (f == "mean") "mean" else "sum", ", ", need, ", ", rs, ")"))
            }
        })
}

condition <- function(depth) {
    kind <- if (depth <= 0) sample(c("cmp", "missing", "text"), 1)
            else sample(c("cmp", "cmp", "and", "or", "not", "missing", "text"), 1)
    switch(kind,
        cmp = {
            op <- sample(c("==", "!=", "<", "<=", ">", ">="), 1)
            a <- numeric_expr(1); b <- numeric_expr(1)
            node(paste(a$b, op, b$b), paste(a$r, op, b$r))
        },
        missing = {
            a <- numeric_expr(1)
            f <- sample(c("missing", "is.na"), 1)
            node(paste0(f, "(", a$b, ")"), paste0("is.na(", a$r, ")"))
        },
        text = {
            op <- sample(c("==", "!="), 1); v <- sample(c("a", "b", "z"), 1)
            q <- sample(c("'", "\""), 1)
            node(paste0("g ", op, " ", q, v, q), paste0("g ", op, " '", v, "'"))
        },
        and = , or = {
            a <- paren(condition(depth - 1)); b <- paren(condition(depth - 1))
            op <- if (kind == "and") sample(c("&", "&&"), 1) else sample(c("|", "||"), 1)
            node(paste(a$b, op, b$b), paste(a$r, if (kind == "and") "&" else "|", b$r))
        },
        not = { a <- paren(condition(depth - 1)); node(paste0("!", a$b), paste0("!", a$r)) })
}

# (every argument to a row's length first: ifelse takes the test's)
rows <- function(x) rep_len(as.numeric(x), n)
bdiv <- function(a, b) { a <- rows(a); b <- rows(b); ifelse(!is.na(b) & b == 0, NA, a / b) }
bsqrt <- function(x) { x <- rows(x); ifelse(!is.na(x) & x < 0, NA, sqrt(pmax(x, 0))) }
blog <- function(x) { x <- rows(x); ifelse(!is.na(x) & x <= 0, NA, log(pmax(x, 1e-300))) }
blog10 <- function(x) { x <- rows(x); ifelse(!is.na(x) & x <= 0, NA, log10(pmax(x, 1e-300))) }
agg <- function(f, need, ...) {
    m <- sapply(list(...), rows)
    answered <- rowSums(!is.na(m))
    v <- if (identical(f, mean)) rowMeans(m, na.rm = TRUE) else rowSums(m, na.rm = TRUE)
    ifelse(answered >= need, v, NA)
}

cases <- character(0)
seen <- character(0)
while (length(cases) < 400) {
    e <- if (runif(1) < 0.5) numeric_expr(3) else condition(2)
    if (e$b %in% seen) next
    v <- with(data, eval(parse(text = e$r)))
    v <- rep_len(as.numeric(v), n)
    v[!is.finite(v)] <- NA
    seen <- c(seen, e$b)
    cases <- c(cases, paste0(e$b, "\t",
                             paste(ifelse(is.na(v), "NA", sprintf("%.17g", v)), collapse = " ")))
}
writeLines(cases, "tests/reference/expr/cases.tsv")
