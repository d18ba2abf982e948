; disk_ports.asm: a boot floppy whose program drives the floppy controller and the ATA disk
; through their I/O ports, as a DOS or Linux driver does: its own IRQ6 and IRQ14 handlers, DMA
; channel 2 programmed by hand, the FDC's command/result phases, ATA PIO with 16- and 32-bit
; data port accesses. The BIOS only loads the boot sector and (once, INT 13h AH=02h) the rest
; of this program; every disk access after that goes through the ports. Reports on port E9h.
;
; Build: nasm -f bin disk_ports.asm

        cpu     386
        bits    16
        org     7C00h

STAGE2_SECTORS equ 7
BUF     equ     9000h                   ; FDC DMA buffers (page 0, no 64 KiB crossing)
IDBUF   equ     0A000h

boot:
        jmp     short .start
        nop
        times   62-($-$$) db 0
.start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, 7C00h
        sti
        mov     ax, 0200h + STAGE2_SECTORS
        mov     cx, 0002h
        xor     dh, dh
        mov     bx, stage2
        int     13h
        jc      .fail
        jmp     stage2
.fail:
        mov     al, '!'
        out     0E9h, al
        cli
        hlt

        times   510-($-$$) db 0
        dw      0AA55h

; ---------------------------------------------------------------------------------------------
stage2:
        cli
        mov     word [0Eh*4], irq6
        mov     word [0Eh*4+2], 0
        mov     word [76h*4], irq14
        mov     word [76h*4+2], 0
        sti

        ; --- Floppy controller --------------------------------------------------------------
        mov     si, s_reset
        call    puts
        mov     dx, 3F2h
        mov     al, 00h
        out     dx, al                  ; reset
        mov     al, 1Ch
        out     dx, al                  ; drive 0, motor 0 on, DMA/IRQ enabled, out of reset
        call    wait6
        mov     cx, 4
.senses:
        call    sense
        loop    .senses
        call    nl

        mov     si, s_version
        call    puts
        mov     al, 10h
        call    fdc_out
        call    results
        call    nl

        mov     al, 03h                 ; SPECIFY: SRT/HUT, HLT, DMA mode
        call    fdc_out
        mov     al, 0DFh
        call    fdc_out
        mov     al, 02h
        call    fdc_out
        mov     dx, 3F7h
        mov     al, 0                   ; 500 kbit/s
        out     dx, al

        mov     si, s_recal
        call    puts
        mov     al, 07h
        call    fdc_out
        mov     al, 00h
        call    fdc_out
        call    wait6
        call    sense
        call    nl

        mov     si, s_seek
        call    puts
        mov     al, 0Fh
        call    fdc_out
        mov     al, 00h
        call    fdc_out
        mov     al, 2
        call    fdc_out
        call    wait6
        call    sense
        call    dir
        call    nl

        ; READ DATA C2 H0 R3 (LBA 74) through DMA into BUF.
        mov     si, s_read
        call    puts
        mov     al, 46h
        mov     bx, BUF
        mov     cx, 511
        call    dma2
        mov     si, cmd_read
        call    fdc_cmd
        call    wait6
        call    results
        mov     si, s_data
        call    puts
        mov     ax, [BUF]
        call    hex16
        call    nl

        ; WRITE DATA C2 H0 R5 (LBA 76) from wbuf.
        mov     si, s_write
        call    puts
        mov     al, 4Ah
        mov     bx, wbuf
        mov     cx, 511
        call    dma2
        mov     si, cmd_write
        call    fdc_cmd
        call    wait6
        call    results
        call    nl

        mov     si, s_readid
        call    puts
        mov     al, 4Ah
        call    fdc_out
        mov     al, 00h
        call    fdc_out
        call    wait6
        call    results
        call    nl

        mov     si, s_sds
        call    puts
        mov     al, 04h
        call    fdc_out
        mov     al, 00h
        call    fdc_out
        call    results
        call    nl

        ; --- ATA disk ------------------------------------------------------------------------
        mov     si, s_identify
        call    puts
        mov     dx, 1F6h
        mov     al, 0A0h
        out     dx, al
        call    ata_ready
        mov     dx, 1F7h
        mov     al, 0ECh
        out     dx, al
        call    wait14
        mov     al, [ata_status]
        call    hex8
        mov     di, IDBUF
        mov     cx, 256
        mov     dx, 1F0h
        cld
        rep     insw
        mov     si, s_geom
        call    puts
        mov     ax, [IDBUF + 2]
        call    hex16
        mov     al, '/'
        out     0E9h, al
        mov     ax, [IDBUF + 6]
        call    hex16
        mov     al, '/'
        out     0E9h, al
        mov     ax, [IDBUF + 12]
        call    hex16
        mov     si, s_lba
        call    puts
        mov     ax, [IDBUF + 122]
        call    hex16
        mov     ax, [IDBUF + 120]
        call    hex16
        mov     si, s_mult
        call    puts
        mov     ax, [IDBUF + 94]
        call    hex16
        mov     si, s_model
        call    puts
        mov     si, IDBUF + 54
        mov     cx, 8
.model:
        lodsw
        xchg    al, ah
        out     0E9h, al
        mov     al, ah
        out     0E9h, al
        loop    .model
        call    nl

        ; READ SECTORS LBA 300, two sectors: the first with INSW, the second with INSD.
        mov     si, s_aread
        call    puts
        mov     ebx, 300
        mov     al, 2
        mov     ah, 20h
        call    ata_cmd
        call    wait14
        mov     al, [ata_status]
        call    hex8
        mov     di, IDBUF
        mov     cx, 256
        mov     dx, 1F0h
        rep     insw
        mov     al, ' '
        out     0E9h, al
        mov     ax, [IDBUF]
        call    hex16
        call    wait14
        mov     al, ' '
        out     0E9h, al
        mov     al, [ata_status]
        call    hex8
        mov     di, IDBUF
        mov     cx, 128
        rep     insd
        mov     al, ' '
        out     0E9h, al
        mov     eax, [IDBUF]
        call    hex16
        mov     dx, 1F7h
        in      al, dx
        mov     si, s_status
        call    puts
        call    hex8
        call    nl

        ; WRITE SECTORS LBA 400: DRQ, then the data, then the interrupt.
        mov     si, s_awrite
        call    puts
        mov     ebx, 400
        mov     al, 1
        mov     ah, 30h
        call    ata_cmd
        mov     dx, 3F6h
.drq:   in      al, dx
        test    al, 08h
        jz      .drq
        mov     si, wbuf
        mov     cx, 256
        mov     dx, 1F0h
        rep     outsw
        call    wait14
        mov     al, [ata_status]
        call    hex8
        call    nl

        ; Software reset: the signature.
        mov     si, s_srst
        call    puts
        mov     dx, 3F6h
        mov     al, 06h
        out     dx, al
        mov     al, 00h
        out     dx, al
        call    ata_ready
        mov     dx, 1F1h
.sig:   in      al, dx
        call    hex8
        mov     al, ' '
        out     0E9h, al
        inc     dx
        cmp     dx, 1F7h
        jb      .sig
        call    nl

        mov     si, s_slave
        call    puts
        mov     dx, 1F6h
        mov     al, 0B0h
        out     dx, al
        mov     dx, 1F7h
        in      al, dx
        call    hex8
        call    nl

        mov     si, s_done
        call    puts
        call    nl
        cli
        hlt
        jmp     $-2

; --- interrupt handlers ---------------------------------------------------------------------

irq6:
        push    ax
        mov     byte [cs:irq6flag], 1
        mov     al, 20h
        out     20h, al
        pop     ax
        iret

irq14:
        push    ax
        push    dx
        mov     dx, 1F7h
        in      al, dx                  ; reading the status acknowledges INTRQ
        mov     [cs:ata_status], al
        mov     byte [cs:irq14flag], 1
        mov     al, 20h
        out     0A0h, al
        out     20h, al
        pop     dx
        pop     ax
        iret

wait6:
        cli
        cmp     byte [irq6flag], 0
        jne     .got
        sti
        hlt
        jmp     wait6
.got:   mov     byte [irq6flag], 0
        sti
        ret

wait14:
        cli
        cmp     byte [irq14flag], 0
        jne     .got
        sti
        hlt
        jmp     wait14
.got:   mov     byte [irq14flag], 0
        sti
        ret

; --- floppy helpers -------------------------------------------------------------------------

; Send AL to the FDC when it asks for a byte.
fdc_out:
        push    dx
        push    ax
        mov     dx, 3F4h
.w:     in      al, dx
        and     al, 0C0h
        cmp     al, 80h
        jne     .w
        pop     ax
        inc     dx
        out     dx, al
        pop     dx
        ret

; Send the 9-byte command at SI.
fdc_cmd:
        push    cx
        mov     cx, 9
.l:     lodsb
        call    fdc_out
        loop    .l
        pop     cx
        ret

; Print the result bytes while the FDC offers them.
results:
        push    dx
.l:     mov     dx, 3F4h
        in      al, dx
        and     al, 0D0h
        cmp     al, 0D0h
        jne     .d
        inc     dx
        in      al, dx
        push    ax
        mov     al, ' '
        out     0E9h, al
        pop     ax
        call    hex8
        jmp     .l
.d:     pop     dx
        ret

sense:
        mov     al, 08h
        call    fdc_out
        call    results
        ret

dir:
        mov     si, s_dir
        call    puts
        mov     dx, 3F7h
        in      al, dx
        and     al, 80h
        call    hex8
        ret

; DMA channel 2: AL = mode, BX = address in page 0, CX = count - 1.
dma2:
        push    ax
        mov     al, 06h
        out     0Ah, al
        out     0Ch, al
        pop     ax
        out     0Bh, al
        mov     al, bl
        out     04h, al
        mov     al, bh
        out     04h, al
        xor     al, al
        out     81h, al
        out     0Ch, al
        mov     al, cl
        out     05h, al
        mov     al, ch
        out     05h, al
        mov     al, 02h
        out     0Ah, al
        ret

; --- ATA helpers ----------------------------------------------------------------------------

ata_ready:
        mov     dx, 3F6h
.w:     in      al, dx
        test    al, 80h
        jnz     .w
        ret

; LBA28 command AH on the master: EBX = LBA, AL = count.
ata_cmd:
        push    ax
        call    ata_ready
        mov     dx, 1F2h
        pop     ax
        out     dx, al
        inc     dx
        mov     al, bl
        out     dx, al
        inc     dx
        mov     al, bh
        out     dx, al
        inc     dx
        shr     ebx, 16
        mov     al, bl
        out     dx, al
        inc     dx
        mov     al, bh
        and     al, 0Fh
        or      al, 0E0h
        out     dx, al
        inc     dx
        mov     al, ah
        out     dx, al
        ret

; --- output helpers -------------------------------------------------------------------------

puts:
        push    ax
.l:     lodsb
        test    al, al
        jz      .d
        out     0E9h, al
        jmp     .l
.d:     pop     ax
        ret

nl:
        mov     al, 10
        out     0E9h, al
        ret

hex16:
        xchg    al, ah
        call    hex8
        xchg    al, ah
        call    hex8
        ret

hex8:
        push    ax
        shr     al, 4
        call    .nib
        pop     ax
        push    ax
        and     al, 0Fh
        call    .nib
        pop     ax
        ret
.nib:
        add     al, '0'
        cmp     al, '9'
        jbe     .o
        add     al, 7
.o:     out     0E9h, al
        ret

; --- data -----------------------------------------------------------------------------------

cmd_read:  db 0E6h, 00h, 2, 0, 3, 2, 18, 1Bh, 0FFh
cmd_write: db 0C5h, 00h, 2, 0, 5, 2, 18, 1Bh, 0FFh

irq6flag:   db 0
irq14flag:  db 0
ata_status: db 0

s_reset:    db "fdc reset:", 0
s_version:  db "version:", 0
s_recal:    db "recalibrate:", 0
s_seek:     db "seek:", 0
s_dir:      db " dir=", 0
s_read:     db "read C2H0R3:", 0
s_write:    db "write C2H0R5:", 0
s_readid:   db "read id:", 0
s_sds:      db "drive status:", 0
s_data:     db " data=", 0
s_identify: db "identify: ", 0
s_geom:     db " chs=", 0
s_lba:      db " lba=", 0
s_mult:     db " w47=", 0
s_model:    db " model=", 0
s_aread:    db "read LBA300x2: ", 0
s_status:   db " status=", 0
s_awrite:   db "write LBA400: ", 0
s_srst:     db "reset signature: ", 0
s_slave:    db "slave status: ", 0
s_done:     db "DONE", 0

        align   2
wbuf:
        db "WRITTEN THROUGH THE PORTS"
        times 512-($-wbuf) db 0A5h

        times (STAGE2_SECTORS + 1) * 512 - ($-$$) db 0
