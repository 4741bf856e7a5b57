/**
 * The only OSGi-aware code: boots an embedded Felix (with SCR, Gogo and FileInstall) beside the
 * kernel model, maps subsystem bundles' lifecycles to module states (the extender), hands their
 * BpfSubsystem services to the kernel's registries, and provides the commands.
 */
package org.bpfosgi.host;
