package dev.kubeproof.localregistry;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;

import java.util.ArrayList;

import javax.enterprise.inject.Produces;
import javax.inject.Singleton;

/**
 * Supplies the {@link DynamicConfigPropertyList} CDI bean that Apicurio Registry expects.
 *
 * <p>Upstream, this bean is generated at build time by the Quarkus build step of
 * {@code io.apicurio:apicurio-common-app-components-config-index}, whose deployment jar is not
 * published on Maven Central. That dependency is therefore excluded in the pom and an empty list is
 * produced here instead. Effect: no registry property can be changed at runtime through the admin
 * API; everything else behaves as upstream.
 */
public class DynamicConfigPropertyListProducer {

    @Produces
    @Singleton
    DynamicConfigPropertyList dynamicConfigPropertyList() {
        // Explicit empty list: the no-arg constructor would leave the list null.
        return new DynamicConfigPropertyList(new ArrayList<>());
    }
}
