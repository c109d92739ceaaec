/*
 * co_specific.c - libco's co_setspecific / co_getspecific: pthread-key values per coroutine.
 * libco gives every coroutine a fixed 1024-slot array (8 KiB each); here the array grows to the
 * largest key actually used.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "coio_internal.h"

int co_setspecific(pthread_key_t key, const void *value) {
    stCoRoutine_t *co = co_self();
    if (co == NULL || co->is_main)
        return pthread_setspecific(key, value);
    if (key >= co->spec_cap) {
        if (key >= PTHREAD_KEYS_MAX)
            return EINVAL;
        size_t cap = co->spec_cap != 0 ? co->spec_cap : 8;
        while (cap <= key)
            cap *= 2;
        void **spec = realloc(co->spec, cap * sizeof(*spec));
        if (spec == NULL)
            return ENOMEM;
        memset(spec + co->spec_cap, 0, (cap - co->spec_cap) * sizeof(*spec));
        co->spec = spec;
        co->spec_cap = cap;
    }
    co->spec[key] = (void *)value;
    return 0;
}

void *co_getspecific(pthread_key_t key) {
    stCoRoutine_t *co = co_self();
    if (co == NULL || co->is_main)
        return pthread_getspecific(key);
    return key < co->spec_cap ? co->spec[key] : NULL;
}
