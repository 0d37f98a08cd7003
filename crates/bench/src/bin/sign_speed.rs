//! `sign-speed`: how many GET requests one thread signs per second with `RequestSigner`.
//!
//! ```text
//! sign-speed [--seconds 3] [--users 1000] [--warmup 0.3] [--key key.pem]
//! {"bench":"sign-speed","signs":3517,"requests":3517,"seconds":3.0002,"signs_per_sec":1172.3,
//!  "cpu_seconds":2.01,"signs_per_cpu_sec":1749.8,...}
//! ```
//!
//! `signs_per_sec` divides by wall-clock time, `signs_per_cpu_sec` by the CPU time the thread
//! actually ran (user and system), which is what `openssl speed` divides by by default.
//!
//! Each iteration builds a GET request for the next of `--users` distinct user OCIDs (at least
//! 1,000, rotating) and signs it with a real RSA key (a fresh RSA-2048 key unless `--key` names a
//! PEM file), through the same `RequestSigner` the client's stack uses. It counts signatures
//! computed (keys taken by the signer) and requests built and signed; they must match, each
//! request's signature must differ from the one before, and the last signature is verified
//! against the public key after timing. Any mismatch ends the run with an error and no figures.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use oci_bench::{cpu_seconds, signing_key, user_ocids, Args, BenchError, CountingCredentials};
use oci_core::auth::RequestSigner;
use oci_core::clock::SystemClock;
use oci_core::Body;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::Verifier;
use sha2::Sha256;

const HOST: &str = "identity.us-ashburn-1.oci.oraclecloud.com";

fn main() {
    if let Err(e) = run() {
        eprintln!("sign-speed: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), BenchError> {
    let args = Args::from_env()?;
    let seconds: f64 = args.get("seconds", 3.0)?;
    let warmup: f64 = args.get("warmup", 0.3)?;
    let n_users: usize = args.get("users", oci_bench::MIN_USERS)?;
    if n_users < oci_bench::MIN_USERS {
        return Err(format!(
            "--users {n_users}: rotate over at least {} distinct users, or a signature cache could help",
            oci_bench::MIN_USERS
        )
        .into());
    }
    if !(seconds > 0.0 && warmup >= 0.0) {
        return Err("--seconds must be > 0 and --warmup >= 0".into());
    }

    let (key, public) = signing_key(args.get_str("key").map(std::path::Path::new))?;
    let key_bits = key.bits();
    let creds = CountingCredentials::new(
        "ocid1.tenancy.oc1..aaaaaaaabenchtenancy",
        "ocid1.user.oc1..aaaaaaaabenchuser",
        "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34",
        key,
    );
    let signer = RequestSigner::new(Arc::new(creds.clone()), Arc::new(SystemClock));
    let uris = user_ocids(n_users)
        .iter()
        .map(|u| format!("https://{HOST}/20160918/users/{u}").parse::<http::Uri>())
        .collect::<Result<Vec<_>, _>>()?;

    let mut state = Loop {
        signer: &signer,
        uris: &uris,
        next: 0,
        previous: String::new(),
        last: None,
    };
    state.run_for(Duration::from_secs_f64(warmup))?;

    let signs_before = creds.count();
    let cpu_before = cpu_seconds();
    let start = Instant::now();
    let requests = state.run_for(Duration::from_secs_f64(seconds))?;
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    let signs = creds.count() - signs_before;

    if signs != requests {
        return Err(format!(
            "signatures computed ({signs}) and requests signed ({requests}) differ"
        )
        .into());
    }
    let last = state.last.ok_or("no request was signed")?;
    verify(&last, &public)?;

    let out = serde_json::json!({
        "bench": "sign-speed",
        "signs": signs,
        "requests": requests,
        "seconds": elapsed,
        "signs_per_sec": signs as f64 / elapsed,
        "cpu_seconds": cpu,
        "signs_per_cpu_sec": cpu.filter(|c| *c > 0.0).map(|c| signs as f64 / c),
        "users": n_users,
        "key_bits": key_bits,
        "last_signature_verified": true,
    });
    println!("{out}");
    Ok(())
}

struct Loop<'a> {
    signer: &'a RequestSigner,
    uris: &'a [http::Uri],
    next: usize,
    previous: String,
    last: Option<http::Request<Body>>,
}

impl Loop<'_> {
    /// Builds and signs requests until `limit` has passed; returns how many were signed.
    fn run_for(&mut self, limit: Duration) -> Result<u64, BenchError> {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < limit {
            let uri = self.uris[self.next].clone();
            self.next = (self.next + 1) % self.uris.len();
            let mut req = http::Request::get(uri).body(Body::empty())?;
            self.signer.sign(&mut req, false)?;
            let auth = req
                .headers()
                .get(http::header::AUTHORIZATION)
                .ok_or("a signed request has no authorization header")?
                .to_str()?;
            let sig = signature_of(auth)?;
            if sig == self.previous {
                return Err("two consecutive requests carry the same signature".into());
            }
            self.previous.clear();
            self.previous.push_str(sig);
            self.last = Some(req);
            n += 1;
        }
        Ok(n)
    }
}

fn signature_of(authorization: &str) -> Result<&str, BenchError> {
    let start = authorization
        .find("signature=\"")
        .ok_or("authorization header without signature")?
        + "signature=\"".len();
    let len = authorization[start..]
        .find('"')
        .ok_or("unterminated signature")?;
    Ok(&authorization[start..start + len])
}

/// Checks the request's signature over its GET signing string with the public key.
fn verify(req: &http::Request<Body>, public: &rsa::RsaPublicKey) -> Result<(), BenchError> {
    let h = |name: &str| -> Result<&str, BenchError> {
        Ok(req
            .headers()
            .get(name)
            .ok_or_else(|| format!("missing {name}"))?
            .to_str()?)
    };
    let signing_string = format!(
        "date: {}\n(request-target): get {}\nhost: {}",
        h("date")?,
        req.uri().path(),
        h("host")?
    );
    let sig = B64.decode(signature_of(h("authorization")?)?)?;
    VerifyingKey::<Sha256>::new(public.clone())
        .verify(
            signing_string.as_bytes(),
            &Signature::try_from(sig.as_slice())?,
        )
        .map_err(|e| format!("the last signature does not verify: {e}"))?;
    Ok(())
}
