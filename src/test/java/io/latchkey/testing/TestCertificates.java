package io.latchkey.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private CA and a server certificate it signed for {@code localhost}, {@code 127.0.0.1}, {@code ::1} and {@code
 * api.latchkey.test} (a name with a dot, so a client sends it as SNI), written as PEM files: what a route's
 * {@code caBundle} trusts in tests, and what the JVM trust store does not.
 */
public final class TestCertificates {

    private static final char[] KEY_PASSWORD = "test".toCharArray();

    public final Path caCertificate;
    public final Path serverCertificate;
    public final Path serverKey;
    /** The server's key and certificate chain, for a server socket of the test's own. */
    private final KeyStore serverKeyStore;

    private TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey, KeyStore serverKeyStore) {
        this.caCertificate = caCertificate;
        this.serverCertificate = serverCertificate;
        this.serverKey = serverKey;
        this.serverKeyStore = serverKeyStore;
    }

    /** TLS for a server presenting the server certificate. */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(serverKeyStore, KEY_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot set up the test server's TLS", e);
        }
    }

    public static TestCertificates create(Path directory) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KeyPair caKeys = generator.generateKeyPair();
            X500Name caName = new X500Name("CN=Latchkey Test CA");
            Instant now = Instant.now();
            X509Certificate ca = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                    caName, BigInteger.ONE, Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(30, ChronoUnit.DAYS)), caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));

            KeyPair serverKeys = generator.generateKeyPair();
            X509Certificate server = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                    caName, BigInteger.TWO, Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(30, ChronoUnit.DAYS)), new X500Name("CN=localhost"), serverKeys.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.dNSName, "api.latchkey.test"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.iPAddress, "::1") }))
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));

            Path caFile = directory.resolve("ca.pem");
            Path certFile = directory.resolve("server.pem");
            Path keyFile = directory.resolve("server-key.pem");
            Files.writeString(caFile, pem(ca));
            Files.writeString(certFile, pem(server));
            Files.writeString(keyFile, pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
                    serverKeys.getPrivate(), null).generate()));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", serverKeys.getPrivate(), KEY_PASSWORD,
                    new java.security.cert.Certificate[] { server, ca });
            return new TestCertificates(caFile, certFile, keyFile, store);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create test certificates", e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
