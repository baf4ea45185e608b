import { type ChildProcess, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../test-support.ts";

/*
 * A throwaway Dovecot IMAP server for tests: its own config, mail store and passwd-file user in a
 * temporary directory, on a free loopback port, as an unprivileged process (as "nobody" when the
 * tests run as root). Debian's dovecot-imapd provides the binary; .ci/run installs it.
 */

export const DOVECOT = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"].find((p) => existsSync(p));

export interface Dovecot {
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

const NOBODY = 65534;

export async function startDovecot(): Promise<Dovecot> {
  if (!DOVECOT) throw new Error("dovecot is not installed (apt-get install dovecot-imapd)");
  const dir = mkdtempSync(path.join(tmpdir(), "keepwell-dovecot-"));
  const port = await freePort();
  const user = "support@acme.example";
  const password = "imap-test-password";
  const asRoot = process.getuid?.() === 0;
  const account = asRoot
    ? { name: "nobody", group: "nogroup" }
    : { name: process.env.USER ?? "nobody", group: "" };
  writeFileSync(path.join(dir, "passwd"), `${user}:{PLAIN}${password}::::::\n`);
  const ownerLines = asRoot
    ? `default_internal_user = nobody\ndefault_internal_group = nogroup\ndefault_login_user = nobody\n`
    : `default_internal_user = ${account.name}\ndefault_login_user = ${account.name}\n`;
  const uid = asRoot ? NOBODY : process.getuid?.();
  const gid = asRoot ? NOBODY : process.getgid?.();
  writeFileSync(
    path.join(dir, "dovecot.conf"),
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
${ownerLines}mail_location = maildir:${dir}/mail/%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%n
}
service imap-login {
  chroot =
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service pop3-login {
  chroot =
}
service submission-login {
  chroot =
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`,
  );
  if (asRoot) chownTree(dir, NOBODY, NOBODY);
  const child: ChildProcess = spawn(DOVECOT, ["-F", "-c", path.join(dir, "dovecot.conf")], {
    cwd: dir,
    stdio: ["ignore", "ignore", "pipe"],
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitForPort(port, 15_000, () => child.exitCode !== null);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`dovecot did not start: ${stderr || (error as Error).message}`);
  }
  return {
    port,
    user,
    password,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) chownTree(full, uid, gid);
    else chownSync(full, uid, gid);
  }
}

async function waitForPort(port: number, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (gaveUp()) throw new Error("dovecot exited");
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
