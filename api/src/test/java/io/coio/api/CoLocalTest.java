package io.coio.api;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** CoLocal (co_getspecific/co_setspecific): one value per coroutine, the thread's value outside. */
class CoLocalTest {

    @Test
    void eachCoroutineSeesItsOwnValueWhileAThreadLocalIsShared() {
        CoLocal<Integer> idx = new CoLocal<>();
        ThreadLocal<Integer> tl = new ThreadLocal<>();
        List<String> out = new ArrayList<>();
        List<Coroutine> cos = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int id = i;
            Coroutine co = Coroutine.create("r" + i, () -> {
                idx.set(id);
                tl.set(id);
                Coroutine.yield();
                out.add(idx.get() + "/" + tl.get());
            });
            co.resume();
            cos.add(co);
        }
        cos.forEach(Coroutine::resume);
        // CoLocal kept each coroutine's value; the ThreadLocal belongs to the thread that ran them all.
        assertEquals(List.of("0/2", "1/2", "2/2"), out);
    }

    @Test
    void outsideACoroutineItIsAThreadLocalAndInitialValuesArePerCoroutine() {
        CoLocal<List<String>> list = new CoLocal<>(ArrayList::new);
        list.get().add("main");
        List<String>[] inside = new List[1];
        Coroutine co = Coroutine.create(() -> {
            list.get().add("co");
            inside[0] = list.get();
        });
        co.resume();
        assertEquals(List.of("main"), list.get());
        assertEquals(List.of("co"), inside[0]);
        CoLocal<String> s = new CoLocal<>();
        assertNull(s.get());
        s.set("x");
        s.remove();
        assertNull(s.get());
    }
}
