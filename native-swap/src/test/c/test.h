/* test.h - tiny assertion helpers shared by the native tests. A failed check prints where and
 * why, then exits 1; the runner (native.sh test) reports the test as failed. */
#ifndef COIO_TEST_H
#define COIO_TEST_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);        \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

#define CHECK_EQ(actual, expected)                                                         \
    do {                                                                                   \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                    \
        if (a_ != e_) {                                                                    \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, expected %s == %lld\n",   \
                    __FILE__, __LINE__, #actual, a_, #expected, e_);                       \
            exit(1);                                                                       \
        }                                                                                  \
    } while (0)

#define PASS(name) printf("%s: ok\n", name)

#endif
