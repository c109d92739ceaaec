/*
 * co_routine_specific.h - libco's CO_ROUTINE_SPECIFIC helper (C++ only), on coio's
 * co_getspecific / co_setspecific.
 *
 *   struct Session { int id; char name[32]; };
 *   CO_ROUTINE_SPECIFIC(Session, g_session)   // at namespace scope
 *   ... g_session->id = 7;                    // one Session per coroutine (per thread outside)
 *
 * As in libco, each instance is calloc'ed on first use (no constructor runs) and never freed.
 */
#ifndef COIO_CO_ROUTINE_SPECIFIC_H
#define COIO_CO_ROUTINE_SPECIFIC_H

#include <pthread.h>
#include <stdlib.h>

#include "co_routine.h"

#define CO_ROUTINE_SPECIFIC(name, y)                                                   \
    static pthread_once_t coio_specific_once_##name = PTHREAD_ONCE_INIT;               \
    static pthread_key_t coio_specific_key_##name;                                     \
    static void coio_specific_make_key_##name() {                                      \
        (void)pthread_key_create(&coio_specific_key_##name, NULL);                     \
    }                                                                                  \
    template <class T>                                                                 \
    class coio_specific_##name {                                                       \
      public:                                                                          \
        T *operator->() {                                                              \
            pthread_once(&coio_specific_once_##name, coio_specific_make_key_##name);   \
            T *p = (T *)co_getspecific(coio_specific_key_##name);                      \
            if (p == NULL) {                                                           \
                p = (T *)calloc(1, sizeof(T));                                         \
                if (p != NULL && co_setspecific(coio_specific_key_##name, p) != 0) {   \
                    free(p);                                                           \
                    p = NULL;                                                          \
                }                                                                      \
            }                                                                          \
            return p;                                                                  \
        }                                                                              \
    };                                                                                 \
    static coio_specific_##name<name> y;

#endif /* COIO_CO_ROUTINE_SPECIFIC_H */
