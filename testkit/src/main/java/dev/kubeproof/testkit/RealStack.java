package dev.kubeproof.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.kubeproof.stack.ServerKind;

import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class the real local servers it names, started once per test run (per JVM) and shared by
 * every test class that asks for them. Tests get a {@link RealServers} parameter and isolate themselves with
 * {@link RealServers#uniqueName(String)} topic and index names. A server that cannot start fails the test
 * class loudly.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(RealStackExtension.class)
public @interface RealStack {
    /** The servers this test class needs. */
    ServerKind[] value() default {ServerKind.KAFKA, ServerKind.SCHEMA_REGISTRY, ServerKind.ELASTICSEARCH};

    /** Whether Elasticsearch (if asked for) requires authentication. */
    boolean elasticsearchSecurity() default true;
}
