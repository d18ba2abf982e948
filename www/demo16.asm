; aula86 page demo, real mode (8086 instructions). Loaded at 1000:0000 and entered there.
; Its bytes are DEMO16 in www/app.js; `scripts/test` checks that they match this source:
;   nasm -f bin www/demo16.asm
;
; It writes to the debug port 0xE9: a banner, the primes below 100 (trial division), then runs a
; sieve of Eratosthenes over a 64 KiB segment forever, printing the count of primes below 65536
; after round 1 and every 64th round.
bits 16
org 0

SIEVE_SEG equ 0x2000
STACK_SEG equ 0x3000

start:
    cli
    mov ax, cs
    mov ds, ax
    mov ax, STACK_SEG
    mov ss, ax
    mov sp, 0xFFFE
    mov ax, SIEVE_SEG
    mov es, ax
    cld

    mov si, banner
    call puts

    ; Primes below 100 by trial division: BX is the candidate, CX the divisor.
    mov bx, 2
.candidate:
    mov cx, 2
.divisor:
    mov ax, cx
    mul cx                  ; DX:AX = divisor squared
    cmp ax, bx
    ja .prime               ; no divisor up to the square root
    mov ax, bx
    xor dx, dx
    div cx
    test dx, dx
    jz .composite
    inc cx
    jmp .divisor
.prime:
    mov ax, bx
    xor dx, dx
    call putdec
    mov al, ' '
    out 0xE9, al
.composite:
    inc bx
    cmp bx, 100
    jb .candidate
    mov si, crlf
    call puts

round:
    ; Every byte of ES starts as "prime" (1), then 0 and 1 are struck out.
    xor di, di
    mov ax, 0x0101
    mov cx, 0x8000
    rep stosw
    mov word [es:0], 0
    mov bx, 2
.outer:
    mov ax, bx
    mul bx                  ; DX:AX = p * p
    test dx, dx
    jnz .count              ; p * p >= 65536: the sieve is done
    cmp byte [es:bx], 0
    je .next
    mov di, ax
.strike:
    mov byte [es:di], 0
    add di, bx
    jnc .strike             ; until the offset wraps past 0xFFFF
.next:
    inc bx
    jmp .outer
.count:
    xor di, di
    xor dx, dx
.tally:
    cmp byte [es:di], 1     ; CF = 0 exactly when the byte is 1
    cmc
    adc dx, 0
    inc di
    jnz .tally              ; 65536 bytes, until DI wraps to 0
    mov [primes], dx

    add word [rounds], 1
    adc word [rounds + 2], 0
    cmp word [rounds + 2], 0
    jne .maybe
    cmp word [rounds], 1
    je .report
.maybe:
    test word [rounds], 63
    jnz round
.report:
    mov si, msg_round
    call puts
    mov ax, [rounds]
    mov dx, [rounds + 2]
    call putdec
    mov si, msg_colon
    call puts
    mov ax, [primes]
    xor dx, dx
    call putdec
    mov si, msg_primes
    call puts
    jmp round

; Write the zero-terminated string at DS:SI to port 0xE9.
puts:
    lodsb
    test al, al
    jz .done
    out 0xE9, al
    jmp puts
.done:
    ret

; Write DX:AX in decimal to port 0xE9. Keeps BX.
putdec:
    push bx
    mov bx, 10
    xor cx, cx
.divide:
    mov di, ax              ; low word
    mov ax, dx
    xor dx, dx
    div bx                  ; high word / 10
    mov si, ax              ; new high word
    mov ax, di
    div bx                  ; (remainder:low word) / 10
    push dx                 ; digit
    inc cx
    mov dx, si
    mov di, ax
    or di, dx
    jnz .divide
.emit:
    pop ax
    add al, '0'
    out 0xE9, al
    loop .emit
    pop bx
    ret

banner:     db "aula86 real-mode demo: 8086 code on the emulated CPU", 13, 10
            db "primes below 100: ", 0
crlf:       db 13, 10, 0
msg_round:  db "sieve round ", 0
msg_colon:  db ": ", 0
msg_primes: db " primes below 65536", 13, 10, 0

align 2
rounds:     dd 0
primes:     dw 0
