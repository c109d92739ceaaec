package io.coio.it;


import example.apps.ThreadIdentityApp;
import io.coio.it.harness.AgentJvm;
import io.coio.it.harness.CheckLines;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An app cannot tell that its threads run as coroutines: inside a converted thread it sees its own Thread
 * object (identity, subclass fields, method references), unpark by reference wakes it, child threads
 * inherit from it, socket reads keep platform interrupt semantics, JDK code sees the context class loader
 * it set, thread-locals live on it, and stack traces and enumeration show it. Same answers without the agent.
 */
@Timeout(180)
class ThreadIdentityTest {

    static Map<String, String> expected() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("defaultNames", "Thread-0 pool-1-thread-1");
        m.put("identity", "true sameId=true");
        m.put("methodReference", "isCurrentThreadObject=true virtual=false");
        m.put("subclass", "field=42 self=true traceEndsAt=example.apps.ThreadIdentityApp$Worker.run");
        m.put("unpark", "alive=false blockerSeen=true");
        m.put("child.daemonfalse", "daemon=false priority=10 group=main inherited=set-inside-parent");
        m.put("child.daemontrue", "daemon=true priority=1 group=main inherited=set-inside-parent");
        m.put("socketInterrupt", "stateInRead=RUNNABLE aliveAfterInterrupt=true read=hello interrupted=true closed=false");
        m.put("contextClassLoader", "jdkUsedIt=true visibleOnThread=true");
        m.put("threadLocal", "before=null after=inner mainKept=main-value");
        m.put("stackTrace", "inside=getStackTrace callerIsLambda=true endsAt=java.lang.Thread.run"
                + " thrownEndsAt=java.lang.Thread.run thrownDepth=2 outsideShowsWait=true"
                + " outsideEndsAt=java.lang.Thread.run inGetAllStackTraces=true");
        m.put("enumerate", "inMainGroup=true");
        m.put("threadMXBean", "countGrewBy5=true idListed=true"
                + " dump=mx-worker-0 WAITING on java.util.concurrent.CountDownLatch$Sync stackHasAwait=true"
                + " byId=mx-worker-0 WAITING stackEmpty=true byIdDepth3=WAITING frames=3"
                + " byIdFull=mx-worker-0 stackHasAwait=true waitingWorkersInAllInfos=5");
        m.put("poolHooks", "beforeExecuteGotFactoryThread=true taskSeesFactoryThread=true");
        m.put("holdsLock", "true false");
        m.put("defaultThreadFactoryGroup", "main");
        return m;
    }


    @ParameterizedTest(name = "carriers={0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("under the agent the app's threads run as coroutines and the app sees exactly what it sees without the agent")
    void underAgent(int carriers) {
        CheckLines.assertMatch(expected(), "virtual=true coio=true",
                CheckLines.run(AgentJvm.builder(ThreadIdentityApp.class).agent("carriers=" + carriers)), "under the agent");
    }

    @Test
    @DisplayName("reference: the expectations are the JDK's own, on platform threads")
    void withoutAgent() {
        CheckLines.assertMatch(expected(), "virtual=false coio=false",
                CheckLines.run(AgentJvm.builder(ThreadIdentityApp.class).noAgent()), "without the agent");
    }
}
