/** Networking on Krill: TCP listeners and streams, and the errors they report. */
package io.krill.net;
