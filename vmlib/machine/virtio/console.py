"""virtio-console (virtio 1.1, section 5.3), its first port only: queue 0 receives, queue 1
transmits.

Where the UART costs one register write per byte (on a hypervisor, one exit per byte), the
console takes a whole buffer per notification: a line, or as much as the driver gathers. QEMU
offers it as ``virtio-serial-device`` with a ``virtconsole`` on port 0; a driver that does not
negotiate ``VIRTIO_CONSOLE_F_MULTIPORT`` gets exactly these two queues.
"""

from collections import deque

RECEIVE, TRANSMIT = 0, 1


class Console:
    """The virtio console. ``output``: optional callable(bytes) where what the guest sends
    goes (a machine makes it join its UART's output when it is None); it is also kept in
    ``sent``. ``input_source``: optional callable() -> bytes, asked when the guest waits."""

    device_id, queues, queue_max, features = 3, 2, 64, 0

    def __init__(self, output=None, input_source=None):
        self.sink, self.input_source = output, input_source
        self.sent = bytearray()
        self.input = deque()

    def config(self, offset, size):
        return 0                    # cols, rows, max_nr_ports: not offered

    def feed(self, data):
        """Queue bytes for the guest to receive."""
        self.input.extend(data)

    def text(self):
        return self.sent.decode('utf-8', 'replace')

    def serve(self, index, queue):
        if index == TRANSMIT:
            return self.transmit(queue)
        return self.receive(queue)

    def transmit(self, queue):
        done = 0
        while (chain := queue.pop()) is not None:
            head, buffers = chain
            data = b''.join(queue.dma.read(b.addr, b.length) for b in buffers if not b.writable)
            self.sent += data
            if self.sink is not None:
                self.sink(data)
            queue.push(head, 0)
            done += 1
        return done

    def receive(self, queue):
        """Fill the buffers the driver gave for input with what has arrived."""
        done = 0
        while self.input and queue.pending():
            head, buffers = queue.pop()
            written = 0
            for b in buffers:
                if not b.writable:
                    continue
                n = min(b.length, len(self.input))
                queue.dma.write(b.addr, bytes(self.input.popleft() for _ in range(n)))
                written += n
            queue.push(head, written)
            done += 1
        return done

    def poll(self):
        """The hart waits: take input from outside; the queues to serve now."""
        if not self.input and self.input_source is not None:
            self.input.extend(self.input_source() or b'')
        return [RECEIVE] if self.input else []
