"""A network namespace of its own with a tap device, dnsmasq (DHCP and
TFTP) and nginx in it, for QEMU's card on the tap: the real servers of
tests/qemu/test_netrig.py and bench/netbench.py.  Nothing leaves the
namespace, and stop() removes it.  Needs root."""

import os
import subprocess
import time

ADDR = "10.77.0.1"

NGINX_CONF = """
daemon off;
user root;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    access_log {work}/nginx-access.log;
    client_body_temp_path {work}/nginx-tmp;
    sendfile on;
    server {{
        listen {addr}:80;
        root {root};
    }}
}}
"""

DNSMASQ_CONF = """
port=0
interface=tap0
bind-interfaces
dhcp-range=10.77.0.100,10.77.0.150,1h
dhcp-leasefile={work}/leases
log-dhcp
enable-tftp
tftp-root={tftp}
dhcp-match=set:efi64,option:client-arch,7
dhcp-match=set:efi64-http,option:client-arch,16
{boot}
"""

class Rig:
    """The namespace, its tap device and the two servers."""

    def __init__(self, work, tftp, http, boot):
        self.work = work
        self.ns = "baton-test-%d" % os.getpid()
        self.procs = []
        self._ip("netns", "add", self.ns)
        try:
            self._ns("ip", "link", "set", "lo", "up")
            self._ns("ip", "tuntap", "add", "dev", "tap0", "mode", "tap")
            self._ns("ip", "addr", "add", ADDR + "/24", "dev", "tap0")
            self._ns("ip", "link", "set", "tap0", "up")
            (work / "nginx-tmp").mkdir()
            (work / "nginx.conf").write_text(NGINX_CONF.format(
                work=work, addr=ADDR, root=http))
            (work / "dnsmasq.conf").write_text(DNSMASQ_CONF.format(
                work=work, tftp=tftp, boot=boot.format(addr=ADDR)))
            self._start("nginx", "-c", str(work / "nginx.conf"))
            self._start("dnsmasq", "--no-daemon", "--conf-file=%s" %
                        (work / "dnsmasq.conf"))
            time.sleep(0.5)
            for p in self.procs:
                if p.poll() is not None:
                    raise AssertionError("%s exited at once: see %s" % (
                        p.args[3], work))
        except BaseException:
            self.stop()
            raise

    def _ip(self, *args):
        subprocess.run(["ip"] + list(args), check=True)

    def _ns(self, *args):
        subprocess.run(["ip", "netns", "exec", self.ns] + list(args),
                       check=True)

    def _start(self, *args):
        log = open(self.work / ("%s.log" % args[0]), "wb")
        self.procs.append(subprocess.Popen(
            ["ip", "netns", "exec", self.ns] + list(args), stdout=log,
            stderr=subprocess.STDOUT))
        log.close()

    def wrap(self):
        return ["ip", "netns", "exec", self.ns]

    def stop(self):
        for p in self.procs:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        subprocess.run(["ip", "netns", "delete", self.ns], check=False)
