package io.ordinaut.queue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

/**
 * A DataSource in front of a real one that injects faults into the executor's statements, as a network
 * or a slow database would: claims whose reply is lost after they committed, and result writes that lag;
 * and claims that throw an Error, as a bug would.
 */
final class FaultyStatements {

    private static final String CLAIM_MARKER = "WITH candidate AS";
    private static final String FINISH_MARKER = "WITH f AS";

    /** How many claim replies are still to be lost; how many were. */
    final AtomicInteger claimRepliesToLose = new AtomicInteger();
    final AtomicInteger claimRepliesLost = new AtomicInteger();
    /** How many claims are still to throw an Error (a bug, not a database fault) before they are sent. */
    final AtomicInteger claimErrorsToThrow = new AtomicInteger();
    /** How long each write of ended runs waits before it is sent. */
    final AtomicLong finishDelayMs = new AtomicLong();

    DataSource wrap(DataSource real) {
        return proxy(DataSource.class, real, (target, method, args) -> {
            Object result = invoke(target, method, args);
            return result instanceof Connection c ? connection(c) : result;
        });
    }

    private Connection connection(Connection real) {
        return proxy(Connection.class, real, (target, method, args) -> {
            Object result = invoke(target, method, args);
            if (method.getName().equals("prepareStatement") && args[0] instanceof String sql) {
                if (sql.contains(CLAIM_MARKER)) {
                    return claim((PreparedStatement) result);
                }
                if (sql.contains(FINISH_MARKER)) {
                    return finish((PreparedStatement) result);
                }
            }
            return result;
        });
    }

    private PreparedStatement claim(PreparedStatement real) {
        return proxy(PreparedStatement.class, real, (target, method, args) -> {
            if (method.getName().equals("executeQuery") && claimErrorsToThrow.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new InjectedError("simulated: an Error thrown while claiming");
            }
            Object result = invoke(target, method, args);
            // autocommit: when executeQuery returns, the claim has committed
            if (method.getName().equals("executeQuery") && claimRepliesToLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                claimRepliesLost.incrementAndGet();
                ((ResultSet) result).close();
                throw new SQLException("simulated: connection reset before the claim's reply arrived", "08006");
            }
            return result;
        });
    }

    private PreparedStatement finish(PreparedStatement real) {
        return proxy(PreparedStatement.class, real, (target, method, args) -> {
            if (method.getName().startsWith("execute")) {
                Thread.sleep(finishDelayMs.get());
            }
            return invoke(target, method, args);
        });
    }

    /** An Error no library would catch: what a bug or a broken plug-in throws. */
    static final class InjectedError extends Error {
        InjectedError(String message) {
            super(message);
        }
    }

    private interface Handler {
        Object handle(Object target, Method method, Object[] args) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, T target, Handler handler) {
        InvocationHandler h = (p, method, args) -> handler.handle(target, method, args);
        return (T) Proxy.newProxyInstance(FaultyStatements.class.getClassLoader(), new Class<?>[] {type}, h);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
